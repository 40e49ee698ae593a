package edu.niu.igait.http;

/**
 * What the API holds now: its connections, its worker threads, the uploads and completions being read
 * and the upload bytes waiting in memory. Read by the metrics at each scrape and by the readiness check
 * that reports the API's saturation on the management port.
 */
public interface ApiLoad {

    int connectionsOpen();

    long connectionsClosed(ConnectionGuard.Reason reason);

    int workersBusy();

    int workers();

    long uploadsInProgress();

    int uploadSlots();

    int completionsInProgress();

    int completionSlots();

    long uploadMemoryBytes();
}
