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
 * keystore behind its SSLContextParameters; PEM files are what certificates come as).</li>
 * </ul>
 * {@link #tunedServers()} counts the servers it adjusted: start-up fails when the platform's server
 * was not among them (a Camel or Vert.x upgrade that changed the way), and {@code TunedVertxTest}
 * checks each adjustment on a real server.
 */
public final class TunedVertx {

    public static final int CHUNK_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final AtomicInteger tunedServers = new AtomicInteger();

    public TunedVertx(VertxOptions options, int idleTimeoutSeconds) {
        this(options, idleTimeoutSeconds, null, null);
    }

    /**
     * @param tls   HTTPS for the servers made through this instance, or null for plain HTTP; checked
     *              here (key and certificate loaded, the key the certificate's), failing with a
     *              StartupException naming the property
     * @param front the root router's first handler (CORS), or null
     */
    public TunedVertx(VertxOptions options, int idleTimeoutSeconds, ServerTls tls, Handler<RoutingContext> front) {
        Vertx real = Vertx.vertx(options);
        if (tls != null) {
            try {
                tls.check(real);
            } catch (RuntimeException e) {
                real.close();
                throw e;
            }
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions given) {
                HttpServerOptions options1 = new HttpServerOptions(given);
                if (options1.getMaxChunkSize() < CHUNK_BYTES) {
                    options1.setMaxChunkSize(CHUNK_BYTES);
                }
                if (idleTimeoutSeconds > 0) {
                    options1.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
                }
                options1.setHttp2ClearTextEnabled(false);
                if (tls != null) {
                    tls.apply(options1);
                }
                HttpServer server = real.createHttpServer(options1);
                server.invalidRequestHandler(Connections::refuseUnparsable);
                tunedServers.incrementAndGet();
                return jsonErrors(server, front);
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

    /** The server, seen through a proxy that gives the root router it is handed JSON error answers and the front handler. */
    private static HttpServer jsonErrors(HttpServer server, Handler<RoutingContext> front) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("requestHandler") && args != null && args.length == 1 && args[0] instanceof Router router) {
                if (front != null) {
                    // Ahead of the platform's sub-router (order 0), so ahead of every route.
                    router.route().order(-1).handler(front);
                }
                router.errorHandler(404, ctx -> Connections.refuse(ctx.request(), 404, "not_found", "no such endpoint"));
                router.errorHandler(405, ctx -> Connections.refuse(ctx.request(), 405, "method_not_allowed",
                        ctx.request().method().name() + " is not allowed here"));
                invoke(server, method, args);
                return proxy;
            }
            Object result = invoke(server, method, args);
            return result == server ? proxy : result;
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
