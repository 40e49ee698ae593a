package edu.niu.igait.logging;

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

    /** The subsystem a pipeline stage talks to. */
    public static Marker forStage(String stage) {
        if (stage == null) {
            return INTAKE;
        }
        return switch (stage) {
            case "1-record", "5-complete" -> FIREBASE;
            case "2-store" -> S3;
            case "3-submit" -> METIS;
            case "4-notify" -> MAIL;
            default -> INTAKE;
        };
    }

    private Subsystem() {
    }
}
