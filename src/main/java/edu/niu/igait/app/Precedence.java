package edu.niu.igait.app;

import java.util.Locale;

import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesSource;

/**
 * Which setting wins, as the README and the properties files say: {@code -Dname=value}, then the
 * environment ({@code IGAIT_MAIL_HOST} for {@code igait.mail.host}), then the working directory's
 * {@code application-<profile>.properties} and {@code application.properties}, then the defaults in
 * the jar. Camel's own order puts the environment first, even over {@code -D}: here it is read as a
 * source of its own, after the {@code -D} settings (which the service gives Camel as overrides) and
 * before every file.
 */
final class Precedence extends MainListenerSupport {

    @Override
    public void beforeInitialize(BaseMainSupport main) {
        apply(main.getCamelContext());
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        apply(main.getCamelContext());
    }

    static void apply(CamelContext context) {
        if (context == null) {
            return;
        }
        PropertiesComponent properties = context.getPropertiesComponent();
        if (properties.getPropertiesSource(Environment.NAME) != null) {
            return;
        }
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camel) {
            camel.setEnvironmentVariableMode(org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        }
        properties.addPropertiesSource(new Environment());
    }

    /** The environment as a source of properties, ahead of every file: {@code IGAIT_MAIL_HOST} for {@code igait.mail.host}. */
    static final class Environment implements PropertiesSource, Ordered {
        static final String NAME = "environment";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public String getProperty(String name) {
            return System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST;
        }
    }
}
