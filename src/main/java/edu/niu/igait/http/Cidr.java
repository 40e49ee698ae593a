package edu.niu.igait.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import edu.niu.igait.config.StartupException;

/** An IPv4 or IPv6 address block such as {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address. */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String given;

    private Cidr(byte[] network, int prefix, String given) {
        this.network = network;
        this.prefix = prefix;
        this.given = given;
    }

    /** The block as it was written in the setting. */
    public String given() {
        return given;
    }

    /**
     * The blocks of a comma-separated property value; an empty value is an empty list.
     *
     * @throws StartupException naming {@code property} for a block that is not one
     */
    public static List<Cidr> parseList(String property, String value) {
        List<Cidr> list = new ArrayList<>();
        if (value == null) {
            return list;
        }
        for (String part : value.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                list.add(parse(part.trim()));
            } catch (IllegalArgumentException e) {
                throw new StartupException(property + " must list address blocks such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32;"
                        + " got '" + part.trim() + "' (" + e.getMessage() + ")");
            }
        }
        return list;
    }

    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] address = literal(host);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the prefix length is not a number");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("the prefix length must be 0 to " + bits);
            }
        }
        return new Cidr(mask(address, prefix), prefix, text);
    }

    /** Whether {@code address} (a literal IP, as a socket reports it) lies in this block. */
    public boolean contains(String address) {
        byte[] bytes = literal(address);
        return bytes != null && contains(bytes);
    }

    boolean contains(byte[] address) {
        byte[] a = address;
        if (a.length != network.length) {
            a = convert(a, network.length);
            if (a == null) {
                return false;
            }
        }
        return java.util.Arrays.equals(mask(a, prefix), network);
    }

    /** The private blocks a proxy in front of the service may stand in: RFC 1918, loopback, IPv6 unique local. */
    private static final List<Cidr> PRIVATE = List.of(parse("10.0.0.0/8"), parse("172.16.0.0/12"), parse("192.168.0.0/16"),
            parse("127.0.0.0/8"), parse("::1/128"), parse("fc00::/7"));

    /** Whether every address of this block is private ({@link #PRIVATE}): a proxy of one's own network, never the internet. */
    public boolean isPrivate() {
        for (Cidr outer : PRIVATE) {
            if (within(outer)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this block lies wholly in {@code outer} (an IPv4-mapped IPv6 address is parsed as its IPv4 address). */
    boolean within(Cidr outer) {
        return network.length == outer.network.length && prefix >= outer.prefix && outer.contains(network);
    }

    public static boolean anyContains(List<Cidr> blocks, String address) {
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Cidr c : blocks) {
            if (c.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of an IP literal (IPv6 possibly in brackets, with a zone), or null for anything else: never a DNS lookup. */
    static byte[] literal(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        if (t.isEmpty()) {
            return null;
        }
        boolean v6 = t.indexOf(':') >= 0;
        if (!(v6 ? t.matches("[0-9A-Fa-f:.]+") : t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An IPv4-mapped IPv6 address and its IPv4 address match each other's blocks. */
    private static byte[] convert(byte[] a, int length) {
        if (a.length == 16 && length == 4) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return null;
                }
            }
            if ((a[10] & 0xff) != 0xff || (a[11] & 0xff) != 0xff) {
                return null;
            }
            return java.util.Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length == 4 && length == 16) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(a, 0, mapped, 12, 4);
            return mapped;
        }
        return null;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return "?/" + prefix;
        }
    }
}
