package edu.niu.igait.logging;

import java.util.Locale;

import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/** Markers that tag (and, on a terminal, colour) each log line by the subsystem it speaks for. */
public final class Subsystem {

    public static final Marker INTAKE = MarkerFactory.getMarker("INTAKE");
    public static final Marker FIREBASE = MarkerFactory.getMarker("FIREBASE");
    public static final Marker S3 = MarkerFactory.getMarker("S3");
    public static final Marker METIS = MarkerFactory.getMarker("METIS");
    public static final Marker MAIL = MarkerFactory.getMarker("MAIL");
    public static final Marker DEV = MarkerFactory.getMarker("DEV");
    public static final Marker PIPELINE = MarkerFactory.getMarker("PIPELINE");

    /** The subsystem of a peer as a stage declares it (Firebase, S3, Metis, mail; anything else: the pipeline). */
    public static Marker forPeer(String peer) {
        if (peer == null) {
            return PIPELINE;
        }
        return switch (peer.toLowerCase(Locale.ROOT)) {
            case "firebase" -> FIREBASE;
            case "s3" -> S3;
            case "metis" -> METIS;
            case "mail" -> MAIL;
            default -> PIPELINE;
        };
    }

    private Subsystem() {
    }
}
