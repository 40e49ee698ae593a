package edu.niu.igait.records;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.HistoryRequest;
import edu.niu.igait.mail.MailTemplates;

/**
 * Which of a parent's jobs to give, named as the later iGait named its filters (query parameters of
 * the list, form fields of the history request): {@code entries} (how many, newest first: default 20,
 * at most 100), {@code result_type} ({@code ASD} or {@code NO ASD}: Complete jobs whose score is above,
 * or not above, the threshold), {@code start_timestamp} and {@code end_timestamp} (UNIX seconds of the
 * submission, inclusive). An empty value is no filter, as a form sends an empty field.
 */
record Filters(int entries, ResultType resultType, Long start, Long end) {

    static final String ENTRIES = "entries";
    static final String RESULT_TYPE = "result_type";
    static final String START = "start_timestamp";
    static final String END = "end_timestamp";
    static final int DEFAULT_ENTRIES = 20;
    static final int MAX_ENTRIES = 100;
    /** 9999-12-31T23:59:59Z: beyond it a time is a mistake. */
    private static final long MAX_SECONDS = 253_402_300_799L;

    /** How the later iGait classed a Complete job by its score. */
    enum ResultType {
        ASD("ASD"), NO_ASD("NO ASD");

        final String text;

        ResultType(String text) {
            this.text = text;
        }

        /** {@code ASD} or {@code NO ASD}, any case, any run of spaces or an underscore between the words. */
        static ResultType parse(String value) {
            String v = value.strip().replaceAll("[\\s_]+", " ").toUpperCase(Locale.ROOT);
            for (ResultType t : values()) {
                if (t.text.equals(v)) {
                    return t;
                }
            }
            return null;
        }

        /** The class of a Complete job with a score; null for any other job. */
        static ResultType of(StoredJob job, double threshold) {
            Double score = job.score();
            return score == null ? null : score > threshold ? ASD : NO_ASD;
        }
    }

    /** From the parameters or form fields (each with every value sent); 400 naming a bad one. */
    static Filters parse(Map<String, List<String>> params) {
        String entriesText = single(params, ENTRIES);
        int entries = DEFAULT_ENTRIES;
        if (entriesText != null) {
            entries = whole(entriesText, ENTRIES, 1, MAX_ENTRIES, "a whole number from 1 to " + MAX_ENTRIES).intValue();
        }
        String typeText = single(params, RESULT_TYPE);
        ResultType type = null;
        if (typeText != null) {
            type = ResultType.parse(typeText);
            if (type == null) {
                throw RequestRejected.badRequest("invalid_field", RESULT_TYPE, RESULT_TYPE + " must be ASD or NO ASD");
            }
        }
        String startText = single(params, START);
        String endText = single(params, END);
        Long start = startText == null ? null : whole(startText, START, 0, MAX_SECONDS, "UNIX seconds (a whole number, 0 or more)");
        Long end = endText == null ? null : whole(endText, END, 0, MAX_SECONDS, "UNIX seconds (a whole number, 0 or more)");
        if (start != null && end != null && end < start) {
            throw RequestRejected.badRequest("invalid_field", END, END + " must not be before " + START);
        }
        return new Filters(entries, type, start, end);
    }

    /** As a history request's ticket keeps them. */
    static Filters of(HistoryRequest request) {
        return new Filters(request.entries == null ? DEFAULT_ENTRIES : request.entries,
                request.resultType == null ? null : ResultType.parse(request.resultType), request.startTimestamp, request.endTimestamp);
    }

    /** Into a history request's ticket. */
    void into(HistoryRequest request) {
        request.entries = entries;
        request.resultType = resultType == null ? null : resultType.text;
        request.startTimestamp = start;
        request.endTimestamp = end;
    }

    /** The jobs that match, newest first (the latest job id first among equal times), at most {@code entries}. */
    List<StoredJob> apply(List<StoredJob> jobs, double threshold) {
        return jobs.stream().filter(j -> matches(j, threshold))
                .sorted(Comparator.comparingLong(StoredJob::submittedSeconds).thenComparingInt(j -> j.jobId).reversed())
                .limit(entries).toList();
    }

    boolean matches(StoredJob job, double threshold) {
        if (resultType != null && resultType != ResultType.of(job, threshold)) {
            return false;
        }
        if (start != null || end != null) {
            long secs = job.submittedSeconds();
            if (secs == Long.MIN_VALUE || (start != null && secs < start) || (end != null && secs > end)) {
                return false;
            }
        }
        return true;
    }

    /** The filters in words, for the mail and the report: entries, result type, from, to. */
    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("entries", entries);
        d.put("resultType", resultType == null ? "any" : resultType.text);
        d.put("from", start == null ? "any time" : MailTemplates.time(Instant.ofEpochSecond(start)));
        d.put("to", end == null ? "any time" : MailTemplates.time(Instant.ofEpochSecond(end)));
        return d;
    }

    /** The one value of a parameter, or null when it is absent or empty; 400 when it was sent more than once. */
    static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw RequestRejected.badRequest("duplicate_field", name, name + " was sent " + values.size() + " times: send it once");
        }
        return values.isEmpty() || values.get(0).isBlank() ? null : values.get(0).strip();
    }

    private static Long whole(String text, String name, long min, long max, String rule) {
        if (text.matches("[0-9]{1,19}")) {
            try {
                long n = Long.parseLong(text);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // out of range: refused below
            }
        }
        throw RequestRejected.badRequest("invalid_field", name, name + " must be " + rule);
    }
}
