package edu.niu.igait.job;

/** The status codes the iGait app understands, spelled as the app reads them. */
public enum StatusCode {
    Submitting, SubmissionErr, Queue, Processing, InferenceErr, Complete
}
