package edu.niu.igait.logging;

import java.util.concurrent.CompletableFuture;

import edu.niu.igait.job.Ticket;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Puts the ids of the job an exchange carries ({@link JobFields}) on the log lines of every step of
 * every route, on whatever thread the step runs (a stage's pool, a retry's timer, a Vert.x worker), and
 * takes them off again when the step returns: a thread never keeps one job's ids for the next.
 *
 * <p>The ids come from the exchange: the opened ticket of a stage (exchange property {@code ticket}), or
 * the submission id the intake set (exchange property {@code submissionId}) and the token's uid
 * (variable {@code igaitUid}). Why an interceptor and not Camel's MDC logging: that one carries custom
 * keys to another thread only when the exchange continues there asynchronously, keeps a value already on
 * the thread rather than the exchange's, and leaves them on a thread the exchange left.
 */
public final class ExchangeMdc implements InterceptStrategy {

    public static final String TICKET = "ticket";
    public static final String SUBMISSION_ID = "submissionId";
    public static final String UID = "igaitUid";

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor nextTarget) {
        AsyncProcessor async = AsyncProcessorConverterHelper.convert(target);
        return new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                try (JobFields.Scope fields = fieldsOf(exchange)) {
                    return async.process(exchange, callback);
                }
            }

            @Override
            public CompletableFuture<Exchange> processAsync(Exchange exchange) {
                try (JobFields.Scope fields = fieldsOf(exchange)) {
                    return async.processAsync(exchange);
                }
            }

            @Override
            public String toString() {
                return target.toString();
            }
        };
    }

    /** The job's ids as the exchange knows them now. */
    static JobFields.Scope fieldsOf(Exchange exchange) {
        Object ticket = exchange.getProperty(TICKET);
        if (ticket instanceof Ticket t) {
            return JobFields.put(t.submissionId, t.uid, t.jobId, t.stage);
        }
        String sid = exchange.getProperty(SUBMISSION_ID, String.class);
        Object uid = exchange.getVariable(UID);
        return JobFields.put(sid, uid instanceof String u ? u : null, null, null);
    }
}
