package edu.niu.igait.app;

import edu.niu.igait.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * The platform's body handler reads whole bodies into the heap (and multipart to its upload folder).
 * No route of the service uses it (they read their bodies themselves, {@code useBodyHandler: false}),
 * so unless set otherwise it is made harmless for any route that still would: bodies capped at
 * {@code igait.http.max-form-bytes} ({@code camel.server.maxBodySize}) and no multipart decoding to
 * disk ({@code camel.server.fileUploadEnabled=false}). Set before the server is created from the configuration.
 */
final class ServerLimits extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        Settings settings = new Settings(context);
        if (settings.optional("camel.server.maxBodySize").isEmpty()) {
            main.configure().httpServer().setMaxBodySize(settings.longValue("igait.http.max-form-bytes"));
        }
        if (settings.optional("camel.server.fileUploadEnabled").isEmpty()) {
            main.configure().httpServer().setFileUploadEnabled(false);
        }
    }
}
