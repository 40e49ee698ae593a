package edu.niu.igait.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The service's version (pom.xml's, written into {@code igait-version.properties} by the build). */
public final class ServiceVersion {

    private static final String VERSION = read();

    private ServiceVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = ServiceVersion.class.getResourceAsStream("/igait-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String version = p.getProperty("version", "").strip();
            return version.isEmpty() || version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
