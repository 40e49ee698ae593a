package edu.niu.igait.intake;

import edu.niu.igait.http.RequestRejected;
import org.apache.camel.Exchange;

/**
 * Videos sent before the form: a form's {@code fileuploadfront} or {@code fileuploadside} may be a text
 * field naming a finished resumable upload (its URL or id) instead of a file part. The receiver asks here
 * for each such field once the form has arrived, and the video then goes through the same checks and the
 * same rename into the job as a file part would.
 */
public interface FinishedUploads {

    /**
     * The finished upload {@code reference} names, held for this exchange: no other form can use it
     * until the exchange is done, and once its file has been moved away (into a job) it is gone for good;
     * otherwise it is free again.
     *
     * @param uid the signed-in caller (null when authentication is off)
     * @throws RequestRejected 400 naming {@code field} for an unknown, foreign, expired, unfinished or used upload
     */
    ReceivedUpload.FilePart claim(String field, String reference, String uid, Exchange exchange);
}
