package edu.niu.igait.http;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;

/**
 * The Vert.x instance the platform's HTTP server is built on, with two changes: its HTTP servers hand
 * request bodies over in chunks of {@link #CHUNK_BYTES} instead of 8 KiB, and close idle connections. Camel builds the server's
 * options itself and offers no setting for this; with 8 KiB chunks each chunk of an upload costs a
 * write and a thread hand-off, and the intake spends most of its CPU there.
 */
public final class LargeChunkVertx {

    public static final int CHUNK_BYTES = 64 * 1024;

    private LargeChunkVertx() {
    }

    /**
     * A new Vert.x instance, seen through a proxy that widens the chunks of the HTTP servers it
     * creates and closes their connections after {@code idleTimeoutSeconds} without a byte either
     * way (a stalled upload would otherwise hold its temp file until the client gives up).
     */
    public static Vertx create(int idleTimeoutSeconds) {
        Vertx real = Vertx.vertx(new VertxOptions());
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions options && options.getMaxChunkSize() < CHUNK_BYTES) {
                options.setMaxChunkSize(CHUNK_BYTES);
                if (idleTimeoutSeconds > 0) {
                    options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Vertx) Proxy.newProxyInstance(LargeChunkVertx.class.getClassLoader(),
                new Class<?>[] {VertxInternal.class}, handler);
    }
}
