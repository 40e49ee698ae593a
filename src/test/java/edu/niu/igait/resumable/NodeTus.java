package edu.niu.igait.resumable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.Http;

/**
 * tus-js-client in Node: runs {@code src/test/tus-client/upload.js} (installed by the build's npm ci)
 * with a configuration and returns what it printed: the upload URLs, the form's answer, the events.
 */
final class NodeTus {

    static final Path SCRIPT = Path.of("src/test/tus-client/upload.js");

    private NodeTus() {
    }

    /** Runs the client; {@code config} as upload.js describes it. Fails the test if it does not end in time. */
    static JsonNode run(Map<String, Object> config, long timeoutSeconds) {
        Path log = null;
        try {
            log = Files.createTempFile("tus-client-", ".log");
            Path out = Files.createTempFile("tus-client-", ".json");
            Process p = new ProcessBuilder(List.of("node", SCRIPT.toString(), Http.mapper().writeValueAsString(config)))
                    .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tus-js-client did not finish in " + timeoutSeconds + " s: " + Files.readString(log));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            Files.deleteIfExists(out);
            if (text.isEmpty()) {
                throw new AssertionError("tus-js-client printed nothing (exit " + p.exitValue() + "): " + Files.readString(log));
            }
            JsonNode result = Http.json(text.substring(text.lastIndexOf('\n') + 1));
            if (p.exitValue() != 0) {
                throw new AssertionError("tus-js-client failed: " + result + " " + Files.readString(log));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** A file the client reads its token from before each request. */
    static Path tokenFile(Path dir, String token) {
        try {
            Path file = dir.resolve("token");
            Files.writeString(file, token);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The form's text fields, as the app sends them (the uid is the token's). */
    static Map<String, String> formFields() {
        return Map.of("age", "7", "ethnicity", "Asian", "sex", "F", "height", "4 ft", "weight", "50", "email", "parent@example.org");
    }
}
