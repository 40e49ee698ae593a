package edu.niu.igait.http;

/** A request the service refuses, with the HTTP status, a stable error code and what to fix. */
public class RequestRejected extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;

    public RequestRejected(int status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static RequestRejected badRequest(String code, String field, String message) {
        return new RequestRejected(400, code, field, message);
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
}
