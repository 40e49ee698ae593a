// Tokens for the benchmarks: run with the service's jar on the class path (it carries nimbus-jose-jwt),
//
//   java -cp target/igait-backend.jar bench/BenchTokens.java <dir> <project> <uid> [<uid>...]
//
// Makes an RSA key, writes its public JWKS to <dir>/jwks.json (the service's igait.auth.keys-url, as
// file:<dir>/jwks.json) and prints one Firebase-style ID token per uid, one a line, valid for 6 hours:
// the service checks them exactly as it checks Google's. A test key, for benchmarks on 127.0.0.1 only.

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

public class BenchTokens {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: BenchTokens <dir> <project> <uid> [<uid>...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String project = args[1];
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-" + UUID.randomUUID()).generate();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Instant now = Instant.now();
        StringBuilder out = new StringBuilder();
        for (int i = 2; i < args.length; i++) {
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer("https://securetoken.google.com/" + project)
                    .audience(project)
                    .subject(args[i])
                    .issueTime(Date.from(now.minusSeconds(5)))
                    .expirationTime(Date.from(now.plusSeconds(6 * 3600)))
                    .claim("auth_time", now.getEpochSecond())
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            out.append(jwt.serialize()).append('\n');
        }
        System.out.print(out);
    }
}
