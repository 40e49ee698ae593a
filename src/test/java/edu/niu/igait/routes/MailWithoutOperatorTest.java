package edu.niu.igait.routes;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/** routes/mail.yaml without igait.mail.operator: alerts are only logged, no mail goes out. */
class MailWithoutOperatorTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/mail.yaml");
    }

    @Override
    protected void properties(Properties p) {
        p.put("igait.mail.operator", "");
    }

    @Test
    void anOperatorAlertWithoutAnOperatorSendsNoMail() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        mail.expectedMessageCount(0);
        template().sendBody("direct:operator-alert", Map.of("subject", "iGait: 1 submission(s) failed", "items", List.of("x")));
        mail.assertIsSatisfied();
    }
}
