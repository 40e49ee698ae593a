package edu.niu.igait.failure;

/**
 * A mistake in {@code routes/} that a bean of the service finds while a route runs: a status code that
 * does not exist, a mail template that does not parse, a call a bean cannot take. Like Camel's own
 * (no such bean or method, an expression that does not parse, a type conversion that fails), no retry
 * can cure it: the stages' error policy ({@code routes/errors.yaml}) sends the job to
 * {@code stage-failed} at once with the reason "route error", and the peer's health is left alone. The
 * message says what to fix, for the operator and the integrator; no personal data.
 */
public final class RouteError extends RuntimeException {

    public RouteError(String message) {
        super(message);
    }

    public RouteError(String message, Throwable cause) {
        super(message, cause);
    }
}
