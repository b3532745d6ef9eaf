// The Express peer for `cargo xtask bench`: the same /api/health, /api/secured-resource and
// /api/notes as Gatehouse, with express-session keeping sessions in SQLite (better-sqlite3),
// as a typical Express app behind a sign-in would. One worker per core (WORKERS, default the
// number of cores) under node's cluster, sharing one database file and one session secret.
//
//   PORT=3001 DB=/tmp/express.db node server.js
const cluster = require("node:cluster");
const os = require("node:os");
const crypto = require("node:crypto");

const workers = Number(process.env.WORKERS || os.availableParallelism());
const dbPath = process.env.DB || "express.db";

if (cluster.isPrimary) {
  const Database = require("better-sqlite3");
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, password TEXT);
           CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT,
             body TEXT, version INTEGER DEFAULT 1, created_at INTEGER, updated_at INTEGER);
           CREATE INDEX IF NOT EXISTS notes_by_user ON notes (user_id, updated_at DESC, id DESC);`);
  db.close();
  const secret = crypto.randomBytes(32).toString("hex");
  for (let i = 0; i < workers; i++) cluster.fork({ SESSION_SECRET: secret });
  let ready = 0;
  cluster.on("message", (_, msg) => {
    if (msg === "listening" && ++ready === workers) console.log(`Express is listening on http://127.0.0.1:${process.env.PORT || 3001}`);
  });
} else {
  const express = require("express");
  const session = require("express-session");
  const Database = require("better-sqlite3");
  const SqliteStore = require("better-sqlite3-session-store")(session);
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");

  const app = express();
  app.use(express.json({ limit: "64kb" }));
  app.use(session({
    store: new SqliteStore({ client: db, expired: { clear: true, intervalMs: 900000 } }),
    secret: process.env.SESSION_SECRET,
    name: "sid",
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: "strict", maxAge: 30 * 60 * 1000 },
  }));
  const requireUser = (req, res, next) =>
    req.session.userId ? next() : res.status(401).json({ code: "unauthenticated", message: "Sign-in required." });

  const ping = db.prepare("SELECT 1");
  app.get("/api/health", (req, res) => { ping.get(); res.json({ ok: true }); });

  const findUser = db.prepare("SELECT id, password FROM users WHERE username = ?");
  const addUser = db.prepare("INSERT OR IGNORE INTO users (username, password) VALUES (?, ?)");
  app.post("/api/auth/login", (req, res) => {
    const { username, password } = req.body || {};
    const user = findUser.get(username);
    if (!user || user.password !== password) return res.status(401).json({ code: "invalid_credentials" });
    req.session.regenerate(() => { req.session.userId = user.id; res.json({ username }); });
  });
  app.get("/api/secured-resource", requireUser, (req, res) => res.json({ message: "This is protected.", user_id: req.session.userId }));

  const listNotes = db.prepare("SELECT id, title, substr(body, 1, 400) AS preview, version, updated_at FROM notes WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT 51");
  const addNote = db.prepare("INSERT INTO notes (user_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)");
  app.get("/api/notes", requireUser, (req, res) => {
    const rows = listNotes.all(req.session.userId);
    res.json({ notes: rows.slice(0, 50), next_cursor: null });
  });
  app.post("/api/notes", requireUser, (req, res) => {
    const now = Math.floor(Date.now() / 1000);
    const r = addNote.run(req.session.userId, req.body.title, req.body.body, now, now);
    res.status(201).json({ id: r.lastInsertRowid });
  });
  // For the bench only: an account to sign in with.
  addUser.run(process.env.BENCH_USER || "bench", process.env.BENCH_PASSWORD || "bench password");

  app.listen(Number(process.env.PORT || 3001), "127.0.0.1", () => process.send("listening"));
}
