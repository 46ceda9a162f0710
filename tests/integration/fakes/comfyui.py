"""Fake ComfyUI server: checkpoint list, prompt submission with graph validation, history
polling, image download, queue deletion and interrupt."""

import collections
import threading
import time
import uuid
from pathlib import PurePosixPath

from .base import FakeService
from .replies import Response, json_reply, text_reply
from .media import tiny_png

DEFAULT_CHECKPOINTS = ("model-a.safetensors", "model-b.ckpt")
SAMPLERS = ("euler", "euler_ancestral", "heun", "dpm_2", "dpm_2_ancestral", "lms", "dpm_fast",
            "dpm_adaptive", "dpmpp_2s_ancestral", "dpmpp_sde", "dpmpp_2m", "dpmpp_2m_sde", "ddim",
            "uni_pc")
SCHEDULERS = ("normal", "karras", "exponential", "sgm_uniform", "simple", "ddim_uniform")
# Required inputs of the node classes the fake knows (ComfyUI's own definitions).
NODE_INPUTS = {
    "CheckpointLoaderSimple": ("ckpt_name",),
    "CLIPTextEncode": ("text", "clip"),
    "EmptyLatentImage": ("width", "height", "batch_size"),
    "KSampler": ("model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive",
                 "negative", "latent_image", "denoise"),
    "VAEDecode": ("samples", "vae"),
    "VAEEncode": ("pixels", "vae"),
    "LoadImage": ("image",),
    "SaveImage": ("images", "filename_prefix"),
    "PreviewImage": ("images",),
    "SaveImageWebsocket": ("images",),
}
OUTPUT_NODES = ("SaveImage", "PreviewImage", "SaveImageWebsocket")
_OUTCOMES = ("success", "error", "no_images", "never")


def _now_ms():
    return int(time.time() * 1000)


def _prompt_error(error_type, message, details="", node_errors=None, status=400):
    return json_reply({"error": {"type": error_type, "message": message, "details": details,
                                 "extra_info": {}},
                       "node_errors": [] if node_errors is None else node_errors}, status)


class FakeComfyUI(FakeService):
    """ComfyUI's HTTP API.

    GET  /object_info/CheckpointLoaderSimple  {"CheckpointLoaderSimple": {"input": {"required":
         {"ckpt_name": [[<checkpoints>], {...}]}}, ...}}; unknown class → {}
    POST /prompt {"prompt": graph, "client_id"} → {"prompt_id", "number", "node_errors": {}}.
         400 in ComfyUI's shape {"error": {"type", "message", "details", "extra_info"},
         "node_errors": ...} for: no prompt (no_prompt), a node without class_type or of an
         unknown class (invalid_prompt), no output node (prompt_no_outputs), and
         prompt_outputs_failed_validation with per-node errors for missing required inputs
         (required_input_missing), malformed or dangling links (bad_linked_input) and a
         ckpt_name / sampler_name / scheduler outside the known lists (value_not_in_list).
    GET  /history/{id}  {} for the first `polls_before_done` polls, then {id: {"prompt": [...],
         "outputs": {<SaveImage node id>: {"images": [{"filename": "<prefix>_00001_.png",
         "subfolder": "", "type": "output"}]}}, "status": {"status_str": "success",
         "completed": true, "messages": [[event, data], ...]}, "meta": {...}}}; unknown id → {}
    GET  /view?filename&subfolder&type  the PNG (`png` attribute); unknown file → 404
    POST /queue {"delete": [ids]} | {"clear": true}; POST /interrupt  → 200, recorded; deleted
         jobs never finish, interrupted ones finish with status_str "error".
    GET  /queue  {"queue_running": [], "queue_pending": [...]}

    Options: `checkpoints`, `polls_before_done` (default 1), `png` (bytes served by /view).

    Scripting (plus FakeService's generic replies, e.g. reply_status(500, path="/prompt")):
      fail_next_job(message="...", times=1)   the job ends with status_str "error" and an
                                              execution_error message
      next_job_without_images(times=1)        success, but no outputs
      next_job_never_finishes(times=1)        history stays {} (timeout tests)

    Helpers: submitted_graphs(), last_graph(), prompt_ids(), deleted_ids, interrupts (count).
    """

    server_header = "Python/3.11 aiohttp/3.9.5"

    def __init__(self, *, checkpoints=DEFAULT_CHECKPOINTS, polls_before_done=1, png=None,
                 host="127.0.0.1", port=0):
        self.checkpoints = list(checkpoints)
        self.polls_before_done = polls_before_done
        self.png = png or tiny_png(8, 8, (30, 144, 255))
        self.deleted_ids = []
        self.interrupts = 0
        self._state = threading.Lock()
        self._outcomes = collections.deque()
        self._jobs = {}
        self._images = {}
        self._counter = 0
        super().__init__(host=host, port=port)

    # -- scripting ---------------------------------------------------------------------------

    def _queue_outcome(self, outcome, message, times):
        with self._state:
            self._outcomes.extend([(outcome, message)] * times)
        return self

    def fail_next_job(self, message="Error while processing: CUDA out of memory", times=1):
        return self._queue_outcome("error", message, times)

    def next_job_without_images(self, times=1):
        return self._queue_outcome("no_images", None, times)

    def next_job_never_finishes(self, times=1):
        return self._queue_outcome("never", None, times)

    # -- records -----------------------------------------------------------------------------

    def submitted_graphs(self):
        """The `prompt` graphs of every accepted submission, in order."""
        with self._state:
            return [job["graph"] for job in sorted(self._jobs.values(),
                                                   key=lambda job: job["number"])]

    def last_graph(self):
        graphs = self.submitted_graphs()
        if not graphs:
            raise AssertionError("FakeComfyUI: no prompt was accepted")
        return graphs[-1]

    def prompt_ids(self):
        with self._state:
            return [job["id"] for job in sorted(self._jobs.values(), key=lambda j: j["number"])]

    # -- behaviour ---------------------------------------------------------------------------

    def error_reply(self, status, message):
        return text_reply(f"{status}: {message}", status)

    def handle(self, request):
        path, method = request.path, request.method
        if path.startswith("/object_info/") and method == "GET":
            return self._object_info(path[len("/object_info/"):])
        if path.startswith("/history/") and method == "GET":
            return self._history(path[len("/history/"):])
        routes = {("POST", "/prompt"): self._submit, ("GET", "/view"): self._view,
                  ("POST", "/queue"): self._delete, ("GET", "/queue"): self._queue,
                  ("POST", "/interrupt"): self._interrupt}
        route = routes.get((method, path))
        if route is not None:
            return route(request)
        if any(path == known for _, known in routes):
            return text_reply("405: Method Not Allowed", 405)
        return text_reply("404: Not Found", 404)

    def _object_info(self, class_type):
        if class_type == "CheckpointLoaderSimple":
            return json_reply({"CheckpointLoaderSimple": {
                "input": {"required": {"ckpt_name": [list(self.checkpoints), {
                    "tooltip": "The name of the checkpoint (model) to load."}]}},
                "input_order": {"required": ["ckpt_name"]},
                "output": ["MODEL", "CLIP", "VAE"], "output_is_list": [False, False, False],
                "output_name": ["MODEL", "CLIP", "VAE"], "name": "CheckpointLoaderSimple",
                "display_name": "Load Checkpoint", "description": "", "python_module": "nodes",
                "category": "loaders", "output_node": False}})
        if class_type in NODE_INPUTS:
            return json_reply({class_type: {
                "input": {"required": {name: [name.upper()] for name in NODE_INPUTS[class_type]}},
                "name": class_type, "output_node": class_type in OUTPUT_NODES}})
        return json_reply({})

    def _input_errors(self, graph, node):
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        errors = []
        for name in NODE_INPUTS[node["class_type"]]:
            if name not in inputs:
                errors.append({"type": "required_input_missing",
                               "message": "Required input is missing", "details": name,
                               "extra_info": {"input_name": name}})
        for name, value in inputs.items():
            if isinstance(value, list) and not (len(value) == 2 and str(value[0]) in graph
                                                and isinstance(value[1], int)):
                errors.append({"type": "bad_linked_input",
                               "message": "Bad linked input, must be a length-2 list of "
                               "[node_id, slot_index]", "details": f"{name}: {value}",
                               "extra_info": {"input_name": name, "received_value": value}})
        allowed = {"ckpt_name": self.checkpoints, "sampler_name": SAMPLERS,
                   "scheduler": SCHEDULERS}
        for name, values in allowed.items():
            value = inputs.get(name)
            if name in NODE_INPUTS[node["class_type"]] and isinstance(value, str) and \
                    value not in values:
                errors.append({"type": "value_not_in_list", "message": "Value not in list",
                               "details": f"{name}: '{value}' not in {list(values)}",
                               "extra_info": {"input_name": name, "received_value": value}})
        return errors

    def _validate(self, graph):
        for node_id, node in graph.items():
            if not isinstance(node, dict) or "class_type" not in node:
                return _prompt_error("invalid_prompt", "Cannot execute because a node is missing "
                                     "the class_type property.", f"Node ID '#{node_id}'")
            if node["class_type"] not in NODE_INPUTS:
                return _prompt_error("invalid_prompt", "Cannot execute because node "
                                     f"{node['class_type']} does not exist.",
                                     f"Node ID '#{node_id}'")
        outputs = [node_id for node_id, node in graph.items()
                   if node["class_type"] in OUTPUT_NODES]
        if not outputs:
            return _prompt_error("prompt_no_outputs", "Prompt has no outputs")
        node_errors = {}
        for node_id, node in graph.items():
            errors = self._input_errors(graph, node)
            if errors:
                node_errors[node_id] = {"errors": errors, "dependent_outputs": outputs,
                                        "class_type": node["class_type"]}
        if node_errors:
            return _prompt_error("prompt_outputs_failed_validation",
                                 "Prompt outputs failed validation", node_errors=node_errors)
        return None

    def _submit(self, request):
        body = request.json
        graph = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(graph, dict):
            return _prompt_error("no_prompt", "No prompt provided", "No prompt provided", {})
        error = self._validate(graph)
        if error:
            return error
        with self._state:
            outcome, message = self._outcomes.popleft() if self._outcomes else ("success", None)
            number = self._counter
            self._counter += 1
            prompt_id = str(uuid.uuid4())
            self._jobs[prompt_id] = {"id": prompt_id, "number": number, "graph": graph,
                                     "client_id": body.get("client_id"), "polls": 0,
                                     "outcome": outcome, "message": message, "entry": None,
                                     "deleted": False, "interrupted": False}
        return json_reply({"prompt_id": prompt_id, "number": number, "node_errors": {}})

    def _history(self, prompt_id):
        with self._state:
            job = self._jobs.get(prompt_id)
            if job is None:
                return json_reply({})
            job["polls"] += 1
            finished = job["entry"] is not None or job["interrupted"] or (
                job["outcome"] != "never" and not job["deleted"]
                and job["polls"] > self.polls_before_done)
            if not finished:
                return json_reply({})
            if job["entry"] is None:
                job["entry"] = self._entry(job)
            return json_reply({prompt_id: job["entry"]})

    def _entry(self, job):
        """Under the state lock: the history entry of a finished job (images registered)."""
        graph, prompt_id = job["graph"], job["id"]
        output_ids = [node_id for node_id, node in graph.items()
                      if node["class_type"] in OUTPUT_NODES]
        messages = [["execution_start", {"prompt_id": prompt_id, "timestamp": _now_ms()}],
                    ["execution_cached", {"nodes": [], "prompt_id": prompt_id,
                                          "timestamp": _now_ms()}]]
        outputs = {}
        if job["interrupted"] or job["outcome"] == "error":
            failing = next((i for i, n in graph.items() if n["class_type"] == "KSampler"),
                           output_ids[0])
            if job["interrupted"]:
                messages.append(["execution_interrupted", {
                    "prompt_id": prompt_id, "node_id": failing,
                    "node_type": graph[failing]["class_type"], "executed": [],
                    "timestamp": _now_ms()}])
            else:
                messages.append(["execution_error", {
                    "prompt_id": prompt_id, "node_id": failing,
                    "node_type": graph[failing]["class_type"], "executed": [],
                    "exception_message": job["message"], "exception_type": "RuntimeError",
                    "traceback": ["Traceback (most recent call last):\n", job["message"]],
                    "current_inputs": {}, "current_outputs": {}, "timestamp": _now_ms()}])
            status = {"status_str": "error", "completed": False, "messages": messages}
        else:
            if job["outcome"] != "no_images":
                for node_id in output_ids:
                    outputs[node_id] = {"images": [self._store_image(graph[node_id])]}
            messages.append(["execution_success", {"prompt_id": prompt_id,
                                                   "timestamp": _now_ms()}])
            status = {"status_str": "success", "completed": True, "messages": messages}
        return {"prompt": [job["number"], prompt_id, graph, {"client_id": job["client_id"]},
                           output_ids],
                "outputs": outputs, "status": status,
                "meta": {node_id: {"node_id": node_id, "display_node": node_id,
                                   "parent_node": None, "real_node_id": node_id}
                         for node_id in outputs}}

    def _store_image(self, node):
        index = len(self._images) + 1
        if node["class_type"] == "SaveImage":
            prefix = str(node["inputs"].get("filename_prefix") or "ComfyUI")
            reference = {"filename": f"{prefix}_{index:05d}_.png", "subfolder": "",
                         "type": "output"}
        else:
            reference = {"filename": f"ComfyUI_temp_fake_{index:05d}_.png", "subfolder": "",
                         "type": "temp"}
        self._images[(reference["filename"], reference["subfolder"], reference["type"])] = \
            self.png
        return reference

    def _view(self, request):
        filename = request.query.get("filename")
        kind = request.query.get("type", "output")
        subfolder = request.query.get("subfolder", "")
        if not filename:
            return text_reply("404: Not Found", 404)
        if kind not in ("output", "input", "temp"):
            return text_reply("400: Bad Request", 400)
        if filename.startswith("/") or ".." in PurePosixPath(filename).parts:
            return text_reply("400: Bad Request", 400)
        with self._state:
            data = self._images.get((filename, subfolder, kind))
        if data is None:
            return text_reply("404: Not Found", 404)
        return Response(200, data, "image/png",
                        {"Content-Disposition": f'filename="{filename}"'})

    def _delete(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        with self._state:
            ids = list(self._jobs) if body.get("clear") else list(body.get("delete") or [])
            for prompt_id in ids:
                self.deleted_ids.append(prompt_id)
                if prompt_id in self._jobs:
                    self._jobs[prompt_id]["deleted"] = True
        return Response(200)

    def _interrupt(self, request):
        with self._state:
            self.interrupts += 1
            for job in self._jobs.values():
                if job["entry"] is None and not job["deleted"]:
                    job["interrupted"] = True
        return Response(200)

    def _queue(self, request):
        with self._state:
            pending = [[job["number"], job["id"], job["graph"], {"client_id": job["client_id"]},
                        []] for job in self._jobs.values()
                       if job["entry"] is None and not job["deleted"]]
        return json_reply({"queue_running": [], "queue_pending": pending})
