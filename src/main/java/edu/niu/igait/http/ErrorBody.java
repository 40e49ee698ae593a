package edu.niu.igait.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import edu.niu.igait.failure.Errors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.camel.Message;

/** Turns failures into the API's JSON error: {@code {"error": code, "message": what to fix, "field"?}}. */
public final class ErrorBody {

    private static final Logger LOG = LoggerFactory.getLogger("igait.http");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBody() {
    }

    public static String json(String code, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Used by the routes' onException: writes the status and JSON body for the caught exception. Every
     * refusal closes the connection once it is written (see {@link Connections}): the client may still
     * be sending a body the service will not read.
     */
    public static void respond(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setHeader("Connection", "close");
        if (caught instanceof RequestRejected r) {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, r.status());
            if (r.status() == 405) {
                out.setHeader("Allow", "POST");
            }
            if (r.status() == 401 && !r.headers().containsKey("WWW-Authenticate")) {
                out.setHeader("WWW-Authenticate", "Bearer realm=\"igait\"");
            }
            r.headers().forEach(out::setHeader);
            out.setBody(json(r.code(), r.getMessage(), r.field()));
            answered(exchange, r.code());
        } else if (ClientGone.in(caught)) {
            // Nobody left to answer (the answer below goes nowhere): a phone that lost its signal, not a fault.
            LOG.info("route {}: {}", exchange.getFromRouteId(), caught.getMessage());
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            out.setBody(json(CLIENT_GONE, "the connection closed before the request was read whole", null));
            answered(exchange, CLIENT_GONE);
        } else {
            // Answered, and never forgotten: the route, the submission if there is one, the error; never the body.
            Object sid = exchange.getProperty("submissionId");
            LOG.error("route {}: unexpected failure answered with 500{}: {}", exchange.getFromRouteId(),
                    sid == null ? "" : " (submission " + sid + ")", Errors.summary(caught), caught);
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 500);
            out.setBody(json("internal_error",
                    "the service could not process the request; nothing was accepted, try again later", null));
            answered(exchange, "internal_error");
        }
    }

    /** For the metrics (metrics.ServiceMetrics counts a refused upload by the code it was answered with). */
    private static void answered(Exchange exchange, String code) {
        exchange.setProperty(ANSWERED_CODE, code);
    }

    /** The code of a request whose client went away before it was read whole (nobody was answered). */
    public static final String CLIENT_GONE = "client_gone";

    /** The exchange property that holds the error code answered; the same name as metrics.ServiceMetrics.ANSWERED_CODE. */
    public static final String ANSWERED_CODE = "igaitErrorCode";
}
