// The React peer: two routes (sign-in and a dashboard), axios for the API, the same sign-in
// form as Gatehouse's (labels, autocomplete, errors in role="alert") and the same dashboard:
// the same requests to the same API (it is served by a Gatehouse server), the same data shown.
import { createContext, StrictMode, useContext, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Link, Routes, Route, useNavigate, useSearchParams } from "react-router";
import axios from "axios";
import "./style.css";

const api = axios.create({ withCredentials: true });

// Who is signed in: `{user: {id, username, role}, expires_at}` as `POST /api/auth/login` and
// `GET /api/auth/me` answer, or null while not known. As in Gatehouse, a sign-in's answer is
// kept, so the dashboard asks for it again only when opened directly.
const SessionContext = createContext(null);

function App() {
  const [session, setSession] = useState(null);
  return (
    <SessionContext.Provider value={{ session, setSession }}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<Login />} />
          <Route path="/dashboard" element={<Dashboard />} />
          <Route path="*" element={<Login />} />
        </Routes>
      </BrowserRouter>
    </SessionContext.Provider>
  );
}

function Login() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const { setSession } = useContext(SessionContext);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await api.post("/api/auth/login", { username, password });
      setSession(r.data);
      navigate(params.get("next") || "/dashboard", { replace: true });
    } catch (err) {
      setError(err.response?.data?.message || "Something went wrong.");
      setBusy(false);
    }
  };
  return (
    <main>
      <section className="page login">
        <h1>Sign in</h1>
        <form onSubmit={submit} noValidate>
          <label htmlFor="username">Username</label>
          <input id="username" name="username" autoComplete="username" autoFocus required
                 value={username} onChange={(e) => setUsername(e.target.value)} />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required
                 value={password} onChange={(e) => setPassword(e.target.value)} />
          <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        </form>
        {error && <div className="error" role="alert"><p>{error}</p></div>}
      </section>
    </main>
  );
}

// Times in words, as Gatehouse's `components/time.rs` writes them.
const UNITS = [[60, 1, "second"], [3600, 60, "minute"], [86400, 3600, "hour"],
  [2592000, 86400, "day"], [31536000, 2592000, "month"], [Infinity, 31536000, "year"]];
function relative(stamp) {
  const seconds = (Date.parse(stamp) - Date.now()) / 1000;
  if (Number.isNaN(seconds)) return stamp;
  const [, size, unit] = UNITS.find(([below]) => Math.abs(seconds) < below);
  const value = Math.round(seconds / size);
  if (unit === "second" && Math.abs(value) < 45) return "just now";
  return new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }).format(value, unit);
}
function clock(stamp) {
  const date = new Date(stamp);
  const sameDay = date.toDateString() === new Date().toDateString();
  return date.toLocaleString("default", { hour: "2-digit", minute: "2-digit", ...(sameDay ? {} : { weekday: "short" }) });
}
const full = (stamp) => new Date(stamp).toLocaleString("default", { dateStyle: "medium", timeStyle: "short" });

// "Last signed in 2 days ago from Firefox on Linux (192.0.2.1). 3 failed sign-in attempts
// since.": from the activity (newest first), whose newest sign-in is this one.
function lastSignIn(events) {
  const signIns = events.map((e, i) => [e, i]).filter(([e]) => e.kind === "signed_in");
  if (signIns.length < 2) return null;
  const [[, current], [previous, previousAt]] = signIns;
  const failed = events.slice(current, previousAt).filter((e) => e.kind === "sign_in_failed").length;
  const { device, address } = previous;
  const from = device && address ? ` from ${device} (${address})` : device ? ` from ${device}` : address ? ` from ${address}` : "";
  let text = `Last signed in ${relative(previous.at)}${from}.`;
  if (failed === 1) text += " 1 failed sign-in attempt since.";
  if (failed > 1) text += ` ${failed} failed sign-in attempts since.`;
  return text;
}

// Gatehouse's dashboard: the session (from the sign-in, else `GET /api/auth/me` first), then at
// once the five newest notes, the session's deadlines and the security activity.
function Dashboard() {
  const { session, setSession } = useContext(SessionContext);
  const navigate = useNavigate();
  useEffect(() => {
    if (session) return;
    api.get("/api/auth/me").then((r) => setSession(r.data)).catch((err) => {
      if ([401, 403].includes(err.response?.status)) navigate("/login?next=/dashboard", { replace: true });
    });
  }, [session, setSession, navigate]);
  if (!session) return <main><p className="loading" role="status">Loading…</p></main>;
  return <DashboardContent username={session.user.username} />;
}

function useFetch(url) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    api.get(url).then((r) => live && setState({ data: r.data }))
      .catch(() => live && setState({ error: "Something went wrong." }));
    return () => { live = false; };
  }, [url]);
  return state;
}

function DashboardContent({ username }) {
  const notes = useFetch("/api/notes?limit=5");
  const state = useFetch("/api/auth/session");
  const activity = useFetch("/api/auth/activity");
  useEffect(() => { document.title = "Dashboard · Gatehouse"; }, []);
  const away = state.data && Math.round(state.data.idle_timeout_seconds / 60);
  const notice = activity.data && lastSignIn(activity.data);
  const waiting = (s) => s.error
    ? <div className="error" role="alert"><p>{s.error}</p></div>
    : <p className="loading" role="status">Loading…</p>;
  return (
    <main>
      <section className="page dashboard">
        <h1 tabIndex={-1}>Welcome, {username}</h1>
        {state.data
          ? <p className="meta">Signed in until {clock(state.data.absolute_expires_at)} unless you're away for {away} minute{away === 1 ? "" : "s"}.</p>
          : <p className="meta skeleton-line" aria-hidden="true">{"\u00a0"}</p>}
        {notice && (
          <p className={notice.includes("failed") ? "notice warn" : "notice"} role="status">
            {notice} <Link to="/account">Review your account</Link>
          </p>
        )}
        <section aria-labelledby="recent-title" className="card">
          <div className="card-head">
            <h2 id="recent-title">Your recent notes</h2>
            <Link to="/notes" className="button">All notes</Link>
          </div>
          {!notes.data ? waiting(notes) : notes.data.notes.length === 0
            ? <p className="empty">You haven't written any notes yet.</p>
            : (
              <ul className="rows">
                {notes.data.notes.map((n) => (
                  <li key={n.id} className="row">
                    <Link to={`/notes/${n.id}`}>{n.title}</Link>
                    <time className="meta" dateTime={n.updated_at} title={full(n.updated_at)}>{relative(n.updated_at)}</time>
                  </li>
                ))}
              </ul>
            )}
        </section>
      </section>
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
