package edu.niu.igait.app;

import edu.niu.igait.config.Settings;
import edu.niu.igait.http.ApiGuard;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * The HTTP server's own body cap (for bodies without Content-Length) follows
 * {@code igait.upload.max-video-bytes}, so raising the video limit needs no second setting; an
 * explicit {@code camel.server.maxBodySize} is kept. Set before the server is created from the configuration.
 */
final class ServerLimits extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        Settings settings = new Settings(context);
        if (settings.optional("camel.server.maxBodySize").isPresent()) {
            return;
        }
        // The server is created from this configuration right after, with the camel.server.* given.
        long maxVideoBytes = settings.longValue("igait.upload.max-video-bytes", 524_288_000L);
        main.configure().httpServer().setMaxBodySize(ApiGuard.maxUploadRequestBytes(maxVideoBytes));
    }
}
