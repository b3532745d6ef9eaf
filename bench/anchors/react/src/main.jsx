// The React peer: two routes (sign-in and a protected page), axios for the API, the same
// sign-in form as Gatehouse's (labels, autocomplete, errors in role="alert").
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Routes, Route, useNavigate, useSearchParams } from "react-router";
import axios from "axios";
import "./style.css";

const api = axios.create({ withCredentials: true });

function Login() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.post("/api/auth/login", { username, password });
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

function Dashboard() {
  const [me, setMe] = useState(null);
  const navigate = useNavigate();
  useEffect(() => {
    api.get("/api/auth/me").then((r) => setMe(r.data)).catch((err) => {
      if ([401, 403].includes(err.response?.status)) navigate("/login?next=/dashboard");
    });
  }, [navigate]);
  return <main><h1>{me ? `Welcome, ${me.username}` : "Loading…"}</h1></main>;
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <BrowserRouter>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route path="/dashboard" element={<Dashboard />} />
        <Route path="*" element={<Login />} />
      </Routes>
    </BrowserRouter>
  </StrictMode>,
);
