package edu.niu.igait.dev;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The first class of a child JVM that must not outlive its parent: it runs another main class and
 * ends the process when its standard input reaches end-of-file. The parent keeps the pipe open and
 * never writes to it; when the parent ends for any reason (SIGKILL included: the kernel closes the
 * pipe), the child ends too. Uses nothing but the JDK, so that it can run beside any jar.
 *
 * <p>{@code java -cp <folder of this class>:<jar> edu.niu.igait.dev.ParentWatch <main class> [args...]}
 */
public final class ParentWatch {

    private ParentWatch() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ParentWatch <main class> [args...]");
            System.exit(2);
        }
        Thread watch = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // the parent writes nothing; anything it might write is ignored
                }
            } catch (IOException e) {
                // a broken pipe is the same news as end-of-file
            }
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    // halting anyway
                }
                Runtime.getRuntime().halt(0);
            }, "parent-watch-halt");
            halt.setDaemon(true);
            halt.start();
            System.err.println("parent process gone: stopping");
            System.exit(0);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();

        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
