package edu.niu.igait.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/** The stage folders' schedulers, to wake the stage a ticket was just put in. */
public class StageWakeups {

    private final Map<String, StageScheduler> schedulers = new LinkedHashMap<>();

    public StageScheduler add(String stage, long delayMillis) {
        StageScheduler scheduler = new StageScheduler(stage, delayMillis);
        schedulers.put(stage, scheduler);
        return scheduler;
    }

    /** A ticket was written into this stage's folder. */
    public void wake(String stage) {
        StageScheduler s = schedulers.get(stage);
        if (s != null) {
            s.wake();
        }
    }

    /** Wakes {@code next} once this exchange is done, when the file consumer has moved its ticket there. */
    public void wakeWhenDone(Exchange exchange, String next) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                wake(next);
            }
        });
    }
}
