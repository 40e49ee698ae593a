package edu.niu.igait.http;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The one place where the service reaches past Camel's settings into the HTTP server it runs on.
 *
 * <p>Camel 4.17 builds that server's {@code new HttpServerOptions()} and its root router itself
 * (VertxPlatformHttpServer.startServer) and offers no setting for these, so the Vert.x instance it
 * finds in the registry is seen through a proxy of the public {@link Vertx} and {@link HttpServer}
 * interfaces that adjusts the servers it creates:
 * <ul>
 * <li>request bodies arrive in chunks of {@link #CHUNK_BYTES} instead of 8 KiB: with small chunks
 * each one costs the intake a write and a thread hand-off, most of its CPU;</li>
 * <li>connections silent for the idle time-out are closed, so a stalled upload frees its temp file
 * and an idle socket its memory;</li>
 * <li>HTTP/2 over cleartext (h2c) is off: the server speaks HTTP/1.1 only, where every refusal is
 * the API's JSON and the connection can be closed after it;</li>
 * <li>the root router answers what no route takes (unknown path, method not allowed) in the API's
 * JSON, and so does the server for a request it cannot parse;</li>
 * <li>the root router's first handler, ahead of every route, answers browsers' CORS preflights
 * ({@link Cors});</li>
 * <li>with {@link ServerTls}, the server speaks HTTPS only (Camel's own SSL settings would need a
 * keystore behind its SSLContextParameters; PEM files are what certificates come as);</li>
 * <li>with a {@link ConnectionGuard}, the API server's connections are capped and watched from the
 * moment each is accepted (its connection handler, and its request handler ahead of the router);</li>
 * <li>every other server (the management port's) runs on a Vert.x of its own, with its own event loop
 * and worker threads: whatever holds the API's threads, liveness, readiness and the metrics answer.
 * Calls made on this instance from one of that Vert.x's threads (the management router's blocking
 * handlers ask for a context and a worker there) go to it.</li>
 * </ul>
 * It also counts the API's worker threads in use ({@link #workersBusy()}): the platform runs each
 * route's steps in {@code executeBlocking} on this instance.
 * {@link #tunedServers()} counts the servers it adjusted: start-up fails when the platform's server
 * was not among them (a Camel or Vert.x upgrade that changed the way), and {@code TunedVertxTest}
 * checks each adjustment on a real server.
 */
public final class TunedVertx {

    public static final int CHUNK_BYTES = 64 * 1024;

    /** The management server's worker threads (its health checks run on them). */
    static final int MANAGEMENT_WORKERS = 4;

    private final Vertx vertx;
    private final AtomicInteger tunedServers = new AtomicInteger();
    private final AtomicInteger workersBusy = new AtomicInteger();
    private final int workerPoolSize;

    public TunedVertx(VertxOptions options, int idleTimeoutSeconds) {
        this(options, idleTimeoutSeconds, null, null, -1, null);
    }

    /**
     * @param tls   HTTPS for the servers made through this instance, or null for plain HTTP; checked
     *              here (key and certificate loaded, the key the certificate's), failing with a
     *              StartupException naming the property
     * @param front the root router's first handler (CORS), or null
     * @param apiPort the port of the API's server: TLS, the front handler and the guard are for it alone
     *                (the management port's server is made through this instance too, on a Vert.x of its
     *                own, and stays plain)
     * @param guard   the API server's connections' caps and header deadline, or null
     */
    public TunedVertx(VertxOptions options, int idleTimeoutSeconds, ServerTls tls, Handler<RoutingContext> front, int apiPort,
                      ConnectionGuard guard) {
        Vertx real = Vertx.vertx(options);
        Vertx management = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(MANAGEMENT_WORKERS));
        this.workerPoolSize = options.getWorkerPoolSize();
        if (tls != null) {
            try {
                tls.check(real);
            } catch (RuntimeException e) {
                real.close();
                management.close();
                throw e;
            }
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("close") && (args == null || args.length == 0)) {
                return management.close().transform(done -> real.close());
            }
            io.vertx.core.Context current = Vertx.currentContext();
            if (current != null && current.owner() == management) {
                return invoke(management, method, args);
            }
            if (method.getName().equals("executeBlocking") && args != null && args.length > 0) {
                args = args.clone();
                args[0] = counted(args[0]);
            }
            if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions given) {
                HttpServerOptions tuned = new HttpServerOptions(given);
                if (tuned.getMaxChunkSize() < CHUNK_BYTES) {
                    tuned.setMaxChunkSize(CHUNK_BYTES);
                }
                if (idleTimeoutSeconds > 0) {
                    tuned.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
                }
                tuned.setHttp2ClearTextEnabled(false);
                tunedServers.incrementAndGet();
                return pending(real, management, tuned, tls, front, apiPort, guard);
            }
            return invoke(real, method, args);
        };
        this.vertx = (Vertx) Proxy.newProxyInstance(TunedVertx.class.getClassLoader(), new Class<?>[] {Vertx.class}, handler);
    }

    /** The instance to bind in the registry, where the platform's HTTP server finds it. */
    public Vertx vertx() {
        return vertx;
    }

    /** How many HTTP servers were created through this instance, and so adjusted. */
    public int tunedServers() {
        return tunedServers.get();
    }

    /** The API's worker threads running something now (a route's steps, mostly). */
    public int workersBusy() {
        return workersBusy.get();
    }

    /** The size of the API's worker pool. */
    public int workerPoolSize() {
        return workerPoolSize;
    }

    /** A blocking task of executeBlocking (a Callable, or a Handler of a Promise), counted while it runs. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object counted(Object task) {
        if (task instanceof java.util.concurrent.Callable callable) {
            return (java.util.concurrent.Callable<Object>) () -> {
                workersBusy.incrementAndGet();
                try {
                    return callable.call();
                } finally {
                    workersBusy.decrementAndGet();
                }
            };
        }
        if (task instanceof Handler h) {
            return (Handler<Object>) promise -> {
                workersBusy.incrementAndGet();
                try {
                    h.handle(promise);
                } finally {
                    workersBusy.decrementAndGet();
                }
            };
        }
        return task;
    }

    /**
     * A server made when it is told its port ({@code listen}): the API's gets TLS and the front handler,
     * any other (the management port's) is plain. Until then the calls made on it are kept and replayed;
     * the root router it is handed answers what no route takes in the API's JSON.
     */
    private static HttpServer pending(Vertx real, Vertx management, HttpServerOptions options, ServerTls tls,
                                      Handler<RoutingContext> front, int apiPort, ConnectionGuard guard) {
        java.util.List<Object[]> before = new java.util.ArrayList<>();
        HttpServer[] server = new HttpServer[1];
        InvocationHandler handler = (proxy, method, args) -> {
            if (server[0] == null && method.getName().equals("listen")) {
                int port = args != null && args.length > 0 && args[0] instanceof Integer p ? p : options.getPort();
                boolean api = port == apiPort;
                HttpServerOptions chosen = new HttpServerOptions(options);
                if (api && tls != null) {
                    tls.apply(chosen);
                    if (guard != null && guard.headerTimeoutMs() > 0) {
                        // The handshake comes before the connection handler: the same deadline as the headers.
                        chosen.setSslHandshakeTimeout(guard.headerTimeoutMs()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
                    }
                }
                HttpServer created = (api ? real : management).createHttpServer(chosen);
                created.invalidRequestHandler(Connections::refuseUnparsable);
                if (api && guard != null) {
                    created.connectionHandler(guard::connected);
                }
                for (Object[] call : before) {
                    Method m = (Method) call[0];
                    Object[] a = (Object[]) call[1];
                    if (m.getName().equals("requestHandler") && a != null && a.length == 1 && a[0] instanceof Router router) {
                        if (api && front != null) {
                            // Ahead of the platform's sub-router (order 0), so ahead of every route.
                            router.route().order(-1).handler(front);
                        }
                        router.errorHandler(404, ctx -> Connections.refuse(ctx.request(), 404, "not_found", "no such endpoint"));
                        router.errorHandler(405, ctx -> Connections.refuse(ctx.request(), 405, "method_not_allowed",
                                ctx.request().method().name() + " is not allowed here"));
                        if (api && guard != null) {
                            Handler<io.vertx.core.http.HttpServerRequest> watched = request -> {
                                if (guard.requestArrived(request)) {
                                    router.handle(request);
                                }
                            };
                            a = new Object[] {watched};
                        }
                    }
                    invoke(created, m, a);
                }
                server[0] = created;
                Object result = invoke(created, method, args);
                return result == created ? proxy : result;
            }
            if (server[0] == null) {
                if (method.getReturnType() == HttpServer.class) {
                    before.add(new Object[] {method, args});
                    return proxy;
                }
                if (method.getName().equals("actualPort")) {
                    return 0;
                }
                throw new IllegalStateException("HttpServer." + method.getName() + " before listen: not supported by TunedVertx");
            }
            Object result = invoke(server[0], method, args);
            return result == server[0] ? proxy : result;
        };
        return (HttpServer) Proxy.newProxyInstance(TunedVertx.class.getClassLoader(), new Class<?>[] {HttpServer.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
