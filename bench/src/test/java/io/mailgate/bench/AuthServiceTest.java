package io.mailgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The auth_http responder over a real socket. */
class AuthServiceTest {

  private static AuthService service;

  @BeforeAll
  static void start() throws Exception {
    service = AuthService.start(new HostPort("127.0.0.1", 0), new AuthService.Answers(
        HostPort.parse("127.0.0.1:19143"), HostPort.parse("127.0.0.1:19110"), null, null, "master-secret"), 1);
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void nginxStyleHttp10RequestGetsTheBackendForItsProtocolAndIsClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", service.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET /auth HTTP/1.0\r\nHost: localhost\r\nAuth-Method: plain\r\nAuth-User: u\r\n"
          + "Auth-Pass: p\r\nAuth-Protocol: pop3\r\nAuth-Login-Attempt: 1\r\nClient-IP: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String response = readUntilClosed(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.0 200 OK\r\n").contains("Auth-Status: OK\r\n")
          .contains("Auth-Server: 127.0.0.1\r\n").contains("Auth-Port: 19110\r\n")
          .contains("Auth-Pass: master-secret\r\n").contains("content-length: 0\r\n");
    }
  }

  @Test
  void keepAliveConnectionAnswersSeveralRequests() throws Exception {
    try (Socket s = new Socket("127.0.0.1", service.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      String request = "GET /auth HTTP/1.1\r\nHost: localhost\r\nAuth-Protocol: imap\r\n\r\n";
      String last = "GET /auth HTTP/1.1\r\nHost: x\r\nAuth-Protocol: smtp\r\nConnection: close\r\n\r\n";
      out.write((request + request + last).getBytes(StandardCharsets.ISO_8859_1));
      String response = readUntilClosed(s.getInputStream());
      assertThat(response.split("HTTP/1.1 200 OK", -1)).hasSize(4);
      assertThat(response.split("Auth-Port: 19143", -1)).hasSize(3);
      // No SMTP backend configured: a temporary failure, as nginx's auth service would give.
      assertThat(response).contains("Auth-Error-Code: 451 4.3.0").contains("Auth-Wait: 3");
    }
  }
}
