package edu.niu.igait.routes;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import edu.niu.igait.http.HttpEdge;
import org.apache.camel.Exchange;

/**
 * The HTTP edge's first step without a request to look at (the route tests send exchanges, not HTTP):
 * records which check the route asked for, and refuses with what the test set.
 */
final class EdgeStub extends HttpEdge {

    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile RuntimeException refusal;

    EdgeStub() {
        super(null, null, null, 1024, List.of());
    }

    /** Forgets the calls and the refusal of the test before. */
    void reset() {
        calls.clear();
        refusal = null;
    }

    private void check(String what) {
        calls.add(what);
        if (refusal != null) {
            throw refusal;
        }
    }

    @Override
    public void get(Exchange exchange) {
        check("get");
    }

    @Override
    public void status(Exchange exchange) {
        check("status");
    }

    @Override
    public void upload(Exchange exchange) {
        check("upload");
    }

    @Override
    public void completion(Exchange exchange) {
        check("completion");
    }
}
