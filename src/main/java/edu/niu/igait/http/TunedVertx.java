package edu.niu.igait.http;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.ext.web.Router;

/**
 * The Vert.x instance the platform's HTTP server is built on. Camel builds that server's options and
 * its root router itself and offers no setting for what the service needs, so this instance adjusts
 * the HTTP servers it creates:
 * <ul>
 * <li>request bodies arrive in chunks of {@link #CHUNK_BYTES} instead of 8 KiB: with small chunks
 * each one costs the intake a write and a thread hand-off, most of its CPU;</li>
 * <li>connections silent for the idle time-out are closed, so a stalled upload frees its temp file;</li>
 * <li>the root router answers what no route takes (unknown path, method not allowed) in the API's
 * JSON, like every other error.</li>
 * </ul>
 */
public final class TunedVertx {

    public static final int CHUNK_BYTES = 64 * 1024;

    private TunedVertx() {
    }

    public static Vertx create(int idleTimeoutSeconds) {
        Vertx real = Vertx.vertx(new VertxOptions());
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions options) {
                if (options.getMaxChunkSize() < CHUNK_BYTES) {
                    options.setMaxChunkSize(CHUNK_BYTES);
                }
                if (idleTimeoutSeconds > 0) {
                    options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
                }
                return jsonErrors((HttpServer) invoke(real, method, args));
            }
            return invoke(real, method, args);
        };
        return (Vertx) Proxy.newProxyInstance(TunedVertx.class.getClassLoader(), new Class<?>[] {VertxInternal.class}, handler);
    }

    /** The server, seen through a proxy that gives the root router it is handed JSON error answers. */
    private static HttpServer jsonErrors(HttpServer server) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("requestHandler") && args != null && args.length == 1 && args[0] instanceof Router router) {
                router.errorHandler(404, ctx -> ApiGuard.fail(ctx, 404, "not_found", "no such endpoint", null));
                router.errorHandler(405, ctx -> ApiGuard.fail(ctx, 405, "method_not_allowed",
                        ctx.request().method().name() + " is not allowed here", null));
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
