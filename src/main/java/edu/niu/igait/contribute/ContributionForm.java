package edu.niu.igait.contribute;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.ClientAddress;
import edu.niu.igait.http.HttpEdge;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.FormFields;
import edu.niu.igait.intake.ReceivedUpload;
import edu.niu.igait.intake.VideoChecks;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Checks a research contribution as the later iGait web client sends it ({@code POST /api/v1/contribute}),
 * from the form the upload's own reader read: {@code name} (1 to 128 printable characters), {@code email},
 * an optional {@code uid} (the token's, if sent), the consent fields ({@code consent_study},
 * {@code consent_publications}, {@code consent_classrooms}, {@code consent_conferences},
 * {@code consent_talks}: each optional, true or false, those of {@code igait.contribute.required-consents}
 * required true) and the two videos, checked as an upload's are ({@link VideoChecks}).
 */
public class ContributionForm {

    public static final String NAME = "name";
    public static final String EMAIL = "email";
    public static final String UID = "uid";
    /** The consent fields, in the order the web client's form asks them. */
    public static final List<String> CONSENTS = List.of("consent_study", "consent_publications", "consent_classrooms",
            "consent_conferences", "consent_talks");
    /** The most characters a contributor's name may have. */
    static final int NAME_MAX = 128;

    private final VideoChecks videos;
    private final Set<String> required;
    private final ClientAddress clients;

    /**
     * @param requiredConsents {@code igait.contribute.required-consents}: consent fields that must be true, comma-separated
     */
    public ContributionForm(VideoChecks videos, String requiredConsents, ClientAddress clients) {
        this.videos = videos;
        this.clients = clients;
        this.required = new LinkedHashSet<>();
        for (String field : requiredConsents.split("[,\\s]+")) {
            if (field.isBlank()) {
                continue;
            }
            String name = field.strip().toLowerCase(Locale.ROOT);
            if (!CONSENTS.contains(name)) {
                throw new StartupException("igait.contribute.required-consents names '" + field.strip()
                        + "', which is not a consent field (" + String.join(", ", CONSENTS) + ")");
            }
            required.add(name);
        }
    }

    /** The consent fields that must be sent as true. */
    public Set<String> required() {
        return Set.copyOf(required);
    }

    public ContributionRequest validate(Exchange exchange) {
        ReceivedUpload form = FormFields.received(exchange);
        String tokenUid = exchange.getVariable(HttpEdge.UID, String.class);
        String tokenEmail = exchange.getVariable(HttpEdge.MAIL_TO, String.class);

        List<String> text = new ArrayList<>(List.of(UID, NAME, EMAIL));
        text.addAll(CONSENTS);
        List<String> known = new ArrayList<>(text);
        known.addAll(VideoChecks.FIELDS);
        FormFields.logUnknown(form, known, "contribution");
        videos.sent(form);
        Set<String> optional = new HashSet<>(CONSENTS);
        if (tokenUid != null) {
            optional.add(UID);
        }
        if (tokenEmail != null) {
            optional.add(EMAIL);
        }
        FormFields.requireText(form, text, optional);

        String uid = FormFields.uid(form, tokenUid);
        String name = FormFields.printable(FormFields.value(form, NAME), NAME, NAME_MAX);
        String email = FormFields.email(form, tokenEmail);
        Map<String, Boolean> consents = new LinkedHashMap<>();
        for (String field : CONSENTS) {
            boolean given = FormFields.flag(FormFields.value(form, field), field);
            if (!given && required.contains(field)) {
                throw RequestRejected.badRequest("consent_required", field, "the research study needs " + field
                        + " to be true (igait.contribute.required-consents)");
            }
            consents.put(field, given);
        }
        VideoChecks.Videos checked = videos.videos(form);
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        return new ContributionRequest(uid, name, email, consents, clients.of(request), checked.front(), checked.side());
    }
}
