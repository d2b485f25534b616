// @google/genai's live client against mockgem: prints every server message it gets, one JSON a line.
// Usage: node live.mjs SCENARIO BASE_URL   (SCENARIO: text | tool | token)
import { GoogleGenAI, Modality } from "@google/genai";

const [scenario, baseUrl] = process.argv.slice(2);
const model = "gemini-live-2.5-flash-preview";

function queueOf() {
  const waiting = [];
  const ready = [];
  return {
    push(item) { (waiting.shift() ?? ((value) => ready.push(value)))(item); },
    next() { return ready.length ? Promise.resolve(ready.shift()) : new Promise((resolve) => waiting.push(resolve)); },
  };
}

async function connect(ai, config) {
  const messages = queueOf();
  const session = await ai.live.connect({
    model,
    config,
    callbacks: {
      onmessage: (message) => messages.push(message),
      onclose: (event) => messages.push({ closed: { code: event.code, reason: event.reason } }),
    },
  });
  return { session, messages };
}

async function turn(messages, print, answer) {
  for (;;) {
    const message = await messages.next();
    print(message);
    if (message.closed || message.serverContent?.turnComplete) return message;
    if (message.toolCall && answer) answer(message.toolCall);
  }
}

const print = (message) => console.log(JSON.stringify(message));

async function text(ai) {
  const { session, messages } = await connect(ai, { responseModalities: [Modality.TEXT] });
  session.sendClientContent({ turns: [{ role: "user", parts: [{ text: "What is the weather?" }] }] });
  await turn(messages, print);
  session.close();
}

async function tool(ai) {
  const tools = [{ functionDeclarations: [{ name: "turn_on_lights", description: "Lights on" }] }];
  const { session, messages } = await connect(ai, { responseModalities: [Modality.TEXT], tools });
  session.sendClientContent({ turns: [{ role: "user", parts: [{ text: "Turn on the lights" }] }] });
  await turn(messages, print, (call) => {
    const [first] = call.functionCalls;
    session.sendToolResponse({ functionResponses: [{ id: first.id, name: first.name, response: { ok: true } }] });
  });
  session.close();
}

async function token(ai) {
  const created = await ai.authTokens.create({ config: { uses: 1, liveConnectConstraints: { model, config: { responseModalities: [Modality.TEXT] } } } });
  print({ token: created.name });
  const holder = new GoogleGenAI({ apiKey: created.name, httpOptions: { baseUrl, apiVersion: "v1alpha" } });
  const { session, messages } = await connect(holder, { responseModalities: [Modality.AUDIO] });
  session.sendClientContent({ turns: [{ role: "user", parts: [{ text: "weather?" }] }] });
  await turn(messages, print);
  session.close();
}

const scenarios = { text, tool, token };
const ai = new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl, apiVersion: scenario === "token" ? "v1alpha" : undefined } });
await scenarios[scenario](ai);
