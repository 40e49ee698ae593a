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

    /**
     * The group an address counts in for every per-address limit (connections, uploads at once, the
     * upload window): an IPv4 address alone, an IPv6 address by its /64, the block one subscriber is
     * given (anyone with one /64 has 2^64 addresses to pick from), written {@code 2001:db8:1:2::/64}. An
     * IPv4-mapped IPv6 address is its IPv4 address. Anything that is no IP literal is its own group.
     */
    public static String group(String address) {
        byte[] bytes = Cidr.literal(address);
        if (bytes == null) {
            return address;
        }
        if (bytes.length == 16) {
            java.util.Arrays.fill(bytes, 8, 16, (byte) 0);
            try {
                return java.net.InetAddress.getByAddress(bytes).getHostAddress().replaceFirst("(:0)+$", "::") + "/64";
            } catch (java.net.UnknownHostException e) {
                return address;
            }
        }
        try {
            return java.net.InetAddress.getByAddress(bytes).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }

    /** The group ({@link #group}) of the client of {@code request}. */
    public String groupOf(HttpServerRequest request) {
        return group(of(request));
    }

    /** Whether {@code address} (a socket's) is one of the trusted proxies. */
    public boolean isTrustedProxy(String address) {
        return !trustedProxies.isEmpty() && Cidr.anyContains(trustedProxies, address);
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
