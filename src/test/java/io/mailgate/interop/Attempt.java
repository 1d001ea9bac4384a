package io.mailgate.interop;

/** One client session to run: where, over what, with which mechanism and which secret. */
record Attempt(Endpoint endpoint, Transport transport, Mechanism mechanism, String user, String secret) {

  Protocol protocol() {
    return endpoint.protocol();
  }

  int port() {
    return endpoint.port();
  }
}
