"""Fake Clara Python backend (FastAPI): speech-to-text, text-to-speech, health and the
notebook document/chat endpoints."""

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import unquote

from .base import FakeService
from .replies import Response, json_reply
from .media import Transcription, tiny_wav, wav_duration


@dataclass
class NotebookAnswer:
    """A scripted notebook chat answer (None fields take the defaults)."""

    answer: str
    citations: Optional[list] = None
    mode: Optional[str] = None


@dataclass
class SynthesizedAudio:
    """Scripted /synthesize audio."""

    data: bytes
    content_type: str = "audio/wav"


def _missing(location, name, received=None):
    """FastAPI's 422 for a missing field."""
    return json_reply({"detail": [{"type": "missing", "loc": [location, name],
                                   "msg": "Field required", "input": received}]}, 422)


def _now():
    return datetime.now(timezone.utc).isoformat()


class FakePythonBackend(FakeService):
    """The Clara Python backend (FastAPI-style errors: {"detail": ...}, 422 for missing fields).

    POST /transcribe  multipart: file (required), language, beam_size, initial_prompt →
         {"transcription": {"text", "language", "segments": [{"start", "end", "text"}]}}.
         Default text "transcript of <filename> (<n> bytes)"; language = the form's or "en".
    POST /synthesize  JSON {"text" (required), "language", "engine", "slow", "voice", "speed"}
         → a tiny valid WAV (`Content-Type: audio/wav`).
    GET  /health      {"status": "healthy", "port", "uptime"}
    POST /notebooks/{id}/documents  multipart parts named `files` →
         [{"id", "filename", "notebook_id", "uploaded_at", "status": "processing"}] (one per
         file); no `files` part → 422; unknown notebook → 404 {"detail": "Notebook not found"}.
    POST /notebooks/{id}/chat  JSON {"question" (required), "mode", "response_type", "top_k",
         "llm_provider", "use_chat_history"} → {"answer": "echo: <question>", "mode",
         "context_used": true, "citations": [{"filename", "file_path", "document_id", "title"}]}
         citing the documents uploaded to that notebook (or one seeded document).

    Options: `notebooks` (ids that exist; add_notebook(id) adds more).

    Scripting (plus FakeService's; all take times=, delay_s=):
      reply_transcription(text, language=None, segments=None)
      reply_audio(data, content_type="audio/wav")
      reply_answer(answer, citations=None, mode=None)   "" tests the empty-answer path

    Helpers: documents(notebook_id) → uploaded Parts, in order.
    """

    server_header = "uvicorn"

    def __init__(self, *, notebooks=("notebook-1",), host="127.0.0.1", port=0):
        self._state = threading.Lock()
        self._notebooks = {notebook: [] for notebook in notebooks}
        self._started = datetime.now(timezone.utc)
        super().__init__(host=host, port=port)

    def add_notebook(self, notebook_id):
        with self._state:
            self._notebooks.setdefault(notebook_id, [])
        return self

    def documents(self, notebook_id):
        with self._state:
            return [part for _, part in self._notebooks.get(notebook_id, [])]

    # -- scripting ---------------------------------------------------------------------------

    def reply_transcription(self, text, *, language=None, segments=None, times=1, delay_s=0.0):
        return self.script(Transcription(text, language, None, segments), path="/transcribe",
                           times=times, delay_s=delay_s)

    def reply_audio(self, data, content_type="audio/wav", *, times=1, delay_s=0.0):
        return self.script(SynthesizedAudio(data, content_type), path="/synthesize", times=times,
                           delay_s=delay_s)

    def reply_answer(self, answer, *, citations=None, mode=None, times=1, delay_s=0.0):
        return self.script(NotebookAnswer(answer, citations, mode), path="/notebooks/",
                           times=times, delay_s=delay_s)

    # -- behaviour ---------------------------------------------------------------------------

    def error_reply(self, status, message):
        return json_reply({"detail": message}, status)

    def handle(self, request):
        path, method = request.path, request.method
        routes = {"/transcribe": ("POST", self._transcribe),
                  "/synthesize": ("POST", self._synthesize),
                  "/health": ("GET", self._health)}
        steps = path.strip("/").split("/")
        if len(steps) == 3 and steps[0] == "notebooks" and steps[2] in ("documents", "chat"):
            handler = self._documents if steps[2] == "documents" else self._chat
            route = ("POST", lambda r: handler(r, unquote(steps[1])))
        else:
            route = routes.get(path)
        if route is None:
            return json_reply({"detail": "Not Found"}, 404)
        if method != route[0]:
            return json_reply({"detail": "Method Not Allowed"}, 405)
        return route[1](request)

    def _health(self, request):
        uptime = datetime.now(timezone.utc) - self._started
        return json_reply({"status": "healthy", "port": self.port, "uptime": str(uptime)})

    def _transcribe(self, request):
        upload = request.part("file")
        if upload is None or upload.filename is None:
            return _missing("body", "file")
        form = request.form
        scripted = self.take_scripted(request, Transcription)
        text = scripted.text if scripted else \
            f"transcript of {upload.filename} ({len(upload.data)} bytes)"
        language = (scripted and scripted.language) or form.get("language") or "en"
        duration = round(wav_duration(upload.data) or 1.0, 3)
        segments = scripted.segments if scripted and scripted.segments is not None else \
            [{"start": 0.0, "end": duration, "text": text}]
        return json_reply({"transcription": {"text": text, "language": language,
                                             "segments": segments}})

    def _synthesize(self, request):
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return _missing("body", "text", body)
        scripted = self.take_scripted(request, SynthesizedAudio)
        if scripted:
            return Response(200, scripted.data, scripted.content_type)
        return Response(200, tiny_wav(), "audio/wav",
                        {"Content-Disposition": 'attachment; filename="speech.wav"'})

    def _documents(self, request, notebook_id):
        with self._state:
            known = notebook_id in self._notebooks
        if not known:
            return json_reply({"detail": "Notebook not found"}, 404)
        files = [part for part in request.parts("files") if part.filename is not None]
        if not files:
            return _missing("body", "files")
        created = []
        with self._state:
            for part in files:
                document_id = str(uuid.uuid4())
                self._notebooks[notebook_id].append((document_id, part))
                created.append({"id": document_id, "filename": part.filename,
                                "notebook_id": notebook_id, "uploaded_at": _now(),
                                "status": "processing"})
        return json_reply(created)

    def _chat(self, request, notebook_id):
        with self._state:
            documents = list(self._notebooks.get(notebook_id, [])) \
                if notebook_id in self._notebooks else None
        if documents is None:
            return json_reply({"detail": "Notebook not found"}, 404)
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("question"), str):
            return _missing("body", "question", body)
        scripted = self.take_scripted(request, NotebookAnswer)
        cited = documents or [("seed-document", None)]
        citations = [{"filename": part.filename if part else "seed.txt",
                      "file_path": f"/notebooks/{notebook_id}/"
                                   f"{part.filename if part else 'seed.txt'}",
                      "document_id": document_id,
                      "title": (part.filename if part else "seed.txt").rsplit(".", 1)[0]}
                     for document_id, part in cited]
        if scripted and scripted.citations is not None:
            citations = scripted.citations
        return json_reply({"answer": scripted.answer if scripted else
                           f"echo: {body['question']}",
                           "mode": (scripted and scripted.mode) or body.get("mode") or "hybrid",
                           "context_used": True, "citations": citations})
