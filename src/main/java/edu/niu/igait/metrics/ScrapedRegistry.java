package edu.niu.igait.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The Prometheus registry {@code /observe/metrics} is scraped from, with hooks that run before each
 * scrape: meters whose set is not known in advance (a stage folder that appeared) are registered in
 * time to be in the answer.
 */
public class ScrapedRegistry extends PrometheusMeterRegistry {

    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    public ScrapedRegistry() {
        super(PrometheusConfig.DEFAULT);
    }

    public void beforeScrape(Runnable hook) {
        beforeScrape.add(hook);
    }

    private void refresh() {
        for (Runnable hook : beforeScrape) {
            hook.run();
        }
    }

    @Override
    public String scrape() {
        refresh();
        return super.scrape();
    }

    @Override
    public String scrape(String contentType) {
        refresh();
        return super.scrape(contentType);
    }

    @Override
    public void scrape(OutputStream outputStream) throws IOException {
        refresh();
        super.scrape(outputStream);
    }

    @Override
    public void scrape(OutputStream outputStream, String contentType) throws IOException {
        refresh();
        super.scrape(outputStream, contentType);
    }

    @Override
    public String scrape(String contentType, Set<String> includedNames) {
        refresh();
        return super.scrape(contentType, includedNames);
    }

    @Override
    public void scrape(OutputStream outputStream, String contentType, Set<String> includedNames) throws IOException {
        refresh();
        super.scrape(outputStream, contentType, includedNames);
    }
}
