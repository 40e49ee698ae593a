package edu.niu.igait.dev;

import java.util.List;
import java.util.Properties;

import edu.niu.igait.app.IgaitMain;
import edu.niu.igait.config.StartupException;
import org.apache.camel.main.Main;

/**
 * Starts the dev run: the service as the jar runs it ({@link IgaitMain}), in the dev profile, with the
 * local stand-ins ({@link DevPeers}) added ahead of the service's own configuration. The profile is
 * {@code dev} unless {@code -Dcamel.main.profile} names one that includes it. A start-up failure ends
 * the process with exit code 2 and one line that names the cause, as the jar does.
 */
public final class DevRun {

    private DevRun() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = create(System.getProperties()).run(args);
        } catch (Throwable e) {
            System.err.println("iGait dev run failed to start: " + StartupException.describe(e));
            System.exit(2);
            return;
        }
        System.exit(code);
    }

    /** The dev run's Main; {@code overrides} as for {@link IgaitMain#create(Properties)}. */
    public static Main create(Properties overrides) {
        Properties own = new Properties();
        for (String name : overrides.stringPropertyNames()) {
            own.setProperty(name, overrides.getProperty(name));
        }
        String profile = own.getProperty(IgaitMain.PROFILE, "");
        if (profile.isBlank()) {
            own.setProperty(IgaitMain.PROFILE, "dev");
        } else if (!List.of(profile.split(",")).stream().map(String::trim).toList().contains("dev")) {
            throw new StartupException(IgaitMain.PROFILE + "=" + profile + ": the dev run runs the dev profile;"
                    + " leave " + IgaitMain.PROFILE + " out or include dev");
        }
        return IgaitMain.create(own, List.of(DevPeers.class));
    }
}
