package edu.niu.igait;

import edu.niu.igait.app.IgaitMain;
import edu.niu.igait.config.StartupException;

/**
 * Starts the iGait backend: Camel Main with the YAML routes and properties of the working directory.
 * A start-up failure ends the process with exit code 2 and one line that names the cause.
 */
public final class App {

    private App() {
    }

    public static void main(String[] args) {
        int code;
        org.apache.camel.main.Main main = null;
        try {
            main = IgaitMain.create(System.getProperties());
            code = main.run(args);
        } catch (Throwable e) {
            System.err.println("iGait backend failed to start: "
                    + StartupException.describe(e, main == null ? null : main.getCamelContext()));
            // Nothing left to stop: Camel's shutdown hook is told so, or it would log a SIGTERM nobody sent.
            if (main != null) {
                main.completed();
            }
            System.exit(2);
            return;
        }
        System.exit(code);
    }
}
