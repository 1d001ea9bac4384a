package io.mailgate.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSIX signal handling. TERM and INT already run the JVM's shutdown hooks (our graceful stop). HUP would end the JVM
 * too, so it gets a handler of its own (reload arrives later; until then it is logged and ignored). QUIT cannot be
 * caught by a JVM at all, so {@code mailgate -s quit} sends TERM. {@code sun.misc.Signal} is reached reflectively
 * because javac warns on every direct use of it and it is the only public way to install a handler.
 */
final class Signals {

  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Installs {@code action} for the signal {@code name} (e.g. "HUP"); false if this JVM does not allow it. */
  static boolean handle(String name, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      InvocationHandler invocation = (Object proxy, Method method, Object[] args) -> {
        if (method.getName().equals("handle")) {
          action.run();
          return null;
        }
        if (method.getName().equals("toString")) {
          return "mailgate " + name + " handler";
        }
        if (method.getName().equals("hashCode")) {
          return System.identityHashCode(proxy);
        }
        if (method.getName().equals("equals")) {
          return proxy == args[0];
        }
        return null;
      };
      Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, invocation);
      Object previous = signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      if (previous == handlerClass.getField("SIG_IGN").get(null)) {
        // HotSpot leaves HUP, INT and TERM ignored when they were ignored at start (nohup ignores HUP; a shell's
        // background job, INT): no handler of ours ever runs. INT is ignored by every scripted "mailgate &", so
        // only HUP and TERM, which operators rely on, are worth a warning.
        if (!name.equals("INT")) {
          LOG.warn("SIG{} was ignored by the process that started mailgate (nohup?) and stays ignored: {}", name,
              name.equals("HUP") ? "kill -HUP and 'mailgate -s reload' do nothing; start it without nohup"
                  : "kill -TERM does not stop it; use 'mailgate -s stop'");
        }
        return false;
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot handle SIG{}: {}", name, e.toString());
      return false;
    }
  }
}
