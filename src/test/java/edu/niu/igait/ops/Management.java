package edu.niu.igait.ops;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;

/** Reading the management port as an operator's tools do: health JSON and Prometheus text. */
final class Management {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)$");

    private Management() {
    }

    static HttpResponse<String> get(URI uri) {
        return Http.get(uri);
    }

    /** The check of this name in a health answer, or null. */
    static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        return null;
    }

    /** Every sample of a Prometheus text answer: {@code name{labels}} (labels as written) to its value. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.trim());
            if (m.matches()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return samples;
    }

    /** The metric names a Prometheus text answer has samples of. */
    static java.util.Set<String> names(String text) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String key : samples(text).keySet()) {
            int brace = key.indexOf('{');
            names.add(brace < 0 ? key : key.substring(0, brace));
        }
        return names;
    }

    /** The value of one sample, or null when there is none. */
    static Double value(String text, String sample) {
        return samples(text).get(sample);
    }
}
