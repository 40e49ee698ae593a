package edu.niu.igait.pipeline;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;

import static org.assertj.core.api.Assertions.assertThat;

/** Posting a valid upload the way the app does, for the pipeline tests. */
final class Uploads {

    private Uploads() {
    }

    static String post(URI upload, String uid, String email, String ethnicity, Path front, Path side) {
        Multipart body = new Multipart()
                .field("uid", uid)
                .field("age", "7")
                .field("ethnicity", ethnicity)
                .field("sex", "F")
                .field("height", "4'2\"")
                .field("weight", "55")
                .field("email", email)
                .file("fileuploadfront", front.getFileName().toString(), front)
                .file("fileuploadside", side.getFileName().toString(), side);
        HttpResponse<String> response = Http.post(upload, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode json = Http.json(response.body());
        return json.get("submissionId").asText();
    }
}
