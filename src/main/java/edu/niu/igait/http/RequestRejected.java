package edu.niu.igait.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request the service refuses, with the HTTP status, a stable error code and what to fix. */
public class RequestRejected extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public RequestRejected(int status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static RequestRejected badRequest(String code, String field, String message) {
        return new RequestRejected(400, code, field, message);
    }

    /** A refusal the client may try again after this many seconds ({@code Retry-After}). */
    public static RequestRejected retryAfter(int status, String code, String message, long seconds) {
        return new RequestRejected(status, code, null, message).header("Retry-After", Long.toString(Math.max(1, seconds)));
    }

    /** Adds a header to the answer. */
    public RequestRejected header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
