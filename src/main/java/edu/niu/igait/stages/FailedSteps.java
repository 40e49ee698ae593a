package edu.niu.igait.stages;

import java.util.concurrent.CompletableFuture;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.util.URISupport;

/**
 * Notes where a failure happened, for the operator's alert about a mistake in a route: the step that
 * failed first (the innermost: a step of a stage's steps route, not the stage's {@code to} that called
 * it), with its route, file and line (Camel keeps them with {@code camel.main.source-location-enabled}).
 * Kept in the exchange property {@value #PROPERTY} until another failure replaces it.
 */
public final class FailedSteps implements InterceptStrategy {

    public static final String PROPERTY = "failedStep";

    /** A step that failed: its route, where it is written, and what it is. */
    public record FailedStep(String routeId, String file, int line, String step, Throwable error) {

        /** {@code route 3b-webhook-steps (routes/stages/3b-webhook.yaml:27), step to[https://...]}. */
        @Override
        public String toString() {
            return "route " + routeId + (file == null ? "" : " (" + file + (line > 0 ? ":" + line : "") + ")") + ", step " + step;
        }
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor nextTarget) {
        AsyncProcessor async = AsyncProcessorConverterHelper.convert(target);
        return new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                return async.process(exchange, doneSync -> {
                    note(exchange, definition);
                    callback.done(doneSync);
                });
            }

            @Override
            public CompletableFuture<Exchange> processAsync(Exchange exchange) {
                return async.processAsync(exchange).whenComplete((done, error) -> note(exchange, definition));
            }

            @Override
            public String toString() {
                return target.toString();
            }
        };
    }

    private static void note(Exchange exchange, NamedNode definition) {
        Throwable error = exchange.getException();
        if (error == null) {
            return;
        }
        Object noted = exchange.getProperty(PROPERTY);
        if (noted instanceof FailedStep step && step.error() == error) {
            // An outer step (the stage's call of its steps route) failing with the same error.
            return;
        }
        String file = definition.getLocation() == null ? null : definition.getLocation().replaceFirst("^(file|classpath):", "");
        String label = definition.getLabel() == null ? definition.getShortName() : URISupport.sanitizeUri(definition.getLabel());
        if (label.length() > 160) {
            label = label.substring(0, 160) + "...";
        }
        exchange.setProperty(PROPERTY, new FailedStep(ProcessorDefinitionHelper.getRouteId(definition), file,
                definition.getLineNumber(), label, error));
    }
}
