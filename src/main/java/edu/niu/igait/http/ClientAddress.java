package edu.niu.igait.http;

import java.util.List;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * Who is calling: the socket's address, or, when that socket is one of {@code igait.http.trusted-proxies},
 * the last hop of {@code X-Forwarded-For} (the one that proxy added). Hops before it were written by
 * the client and are never believed.
 */
public final class ClientAddress {

    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    public String of(HttpServerRequest request) {
        String socket = socketAddress(request);
        if (trustedProxies.isEmpty() || !Cidr.anyContains(trustedProxies, socket)) {
            return socket;
        }
        List<String> headers = request.headers().getAll("X-Forwarded-For");
        if (headers.isEmpty()) {
            return socket;
        }
        String all = String.join(",", headers);
        String last = all.substring(all.lastIndexOf(',') + 1).trim();
        byte[] bytes = Cidr.literal(last);
        if (bytes == null) {
            return socket;
        }
        try {
            return java.net.InetAddress.getByAddress(bytes).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return socket;
        }
    }

    /** The peer's IP as the socket reports it. */
    public static String socketAddress(HttpServerRequest request) {
        SocketAddress address = request.remoteAddress();
        if (address == null) {
            return "unknown";
        }
        return address.hostAddress() != null ? address.hostAddress() : address.toString();
    }
}
