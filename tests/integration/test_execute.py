"""POST /api/workflows/{slug}/execute: authentication, input validation, the response envelope,
node failures, and the engine's semantics observed through HTTP with the project's fixtures."""

import base64
import struct
import unittest
import zlib

from runner_process import (DURATION_PATTERN, ISO_TIMESTAMP, UUID_PATTERN, ServerTestCase,
                            load_fixture, unique_token)


def tiny_png(width, height):
    """A valid RGB PNG of the given size (every pixel red)."""
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) +
            chunk(b"IEND", b""))


def text_pdf(text):
    """A one-page PDF showing `text` in Helvetica, with a correct cross-reference table."""
    content = f"BT /F1 18 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    document = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref_at)
    return document


def b64(data):
    return base64.b64encode(data).decode("ascii")


def deploy_or_fail(server, fixture, workflow=None):
    """Deploys a fixture from setUpClass (no TestCase available there)."""
    result = server.deploy(f"{fixture} {unique_token()}", workflow or load_fixture(fixture))
    if result.status != 201:
        raise AssertionError(f"deploying {fixture} failed: {result}")
    return result.body["deployment"]


class ExecuteAuthTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = deploy_or_fail(cls.server, "echo")

    def execute_with_header(self, authorization):
        headers = {} if authorization is None else {"Authorization": authorization}
        return self.server.request("POST", f"/api/workflows/{self.echo['slug']}/execute",
                                   body={"message": "hi"}, headers=headers)

    def execution_count(self):
        result = self.server.executions(self.echo["slug"], self.echo["apiKey"], "limit=1000")
        self.assertEqual(result.status, 200, result)
        return len(result.body["executions"])

    def test_missing_authorization_header(self):
        self.assertErrorEnvelope(self.execute_with_header(None), 401,
                                 "Missing Authorization header")

    def test_key_without_clara_prefix(self):
        for header in ("Bearer not-a-key", "Basic dXNlcjpwYXNz", "Bearer ", "sk-123"):
            with self.subTest(header=header):
                self.assertErrorEnvelope(self.execute_with_header(header), 401,
                                         "Invalid API key format")

    def test_unknown_key(self):
        result = self.execute_with_header("Bearer clara_sk_" + "0" * 64)
        self.assertErrorEnvelope(result, 401, "Invalid API key")

    def test_bearer_key_executes(self):
        result = self.execute_with_header(f"Bearer {self.echo['apiKey']}")
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"reply": "hi"})

    def test_raw_key_without_bearer_executes(self):
        result = self.execute_with_header(self.echo["apiKey"])
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"reply": "hi"})

    def test_bearer_scheme_is_case_insensitive(self):
        result = self.execute_with_header(f"bearer {self.echo['apiKey']}")
        self.assertEqual(result.status, 200, result)

    def test_refused_calls_are_not_recorded(self):
        before = self.execution_count()
        self.execute_with_header(None)
        self.execute_with_header("Bearer clara_sk_" + "f" * 64)
        self.assertEqual(self.execution_count(), before)

    def test_bad_slug_format(self):
        result = self.server.execute("Not_A_Slug", {"message": "hi"}, self.echo["apiKey"])
        self.assertErrorEnvelope(result, 400, "Invalid slug format")


class InputValidationTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = deploy_or_fail(cls.server, "echo")
        cls.fields = deploy_or_fail(cls.server, "field_names")
        cls.typed = deploy_or_fail(cls.server, "typed_inputs")

    FIELD_VALUES = {"userName": "u", "searchTerm": "s", "input3": "i", "topic": "t1",
                    "topic2": "t2"}

    def assertInputValidationFailed(self, result):
        self.assertErrorEnvelope(result, 400, "Input validation failed")
        errors = result.body.get("validationErrors")
        self.assertIsInstance(errors, list, result)
        return errors

    def test_missing_required_field(self):
        inputs = dict(self.FIELD_VALUES)
        del inputs["topic2"]
        result = self.server.execute(self.fields["slug"], inputs, self.fields["apiKey"])
        self.assertEqual(self.assertInputValidationFailed(result),
                         ["Missing required field: topic2"])

    def test_empty_string_counts_as_missing(self):
        inputs = dict(self.FIELD_VALUES, userName="")
        result = self.server.execute(self.fields["slug"], inputs, self.fields["apiKey"])
        self.assertIn("Missing required field: userName", self.assertInputValidationFailed(result))

    def test_unknown_field(self):
        result = self.server.execute(self.echo["slug"], {"message": "hi", "extra": 1},
                                     self.echo["apiKey"])
        self.assertEqual(self.assertInputValidationFailed(result), ["Unknown field: extra"])

    def test_number_field_refuses_text(self):
        result = self.server.execute(self.typed["slug"], {"quantity": "3"}, self.typed["apiKey"])
        self.assertEqual(self.assertInputValidationFailed(result),
                         ["Field 'quantity' must be a number"])

    def test_text_field_refuses_number(self):
        result = self.server.execute(self.echo["slug"], {"message": 5}, self.echo["apiKey"])
        self.assertEqual(self.assertInputValidationFailed(result),
                         ["Field 'message' must be a string"])

    def test_all_problems_are_listed(self):
        result = self.server.execute(self.fields["slug"], {"userName": 1, "bogus": "x"},
                                     self.fields["apiKey"])
        errors = self.assertInputValidationFailed(result)
        for expected in ("Missing required field: searchTerm", "Missing required field: input3",
                         "Missing required field: topic", "Missing required field: topic2",
                         "Unknown field: bogus", "Field 'userName' must be a string"):
            self.assertIn(expected, errors)

    def test_empty_body_reports_every_required_field(self):
        result = self.server.request("POST", f"/api/workflows/{self.echo['slug']}/execute",
                                     headers={"Authorization": f"Bearer {self.echo['apiKey']}"})
        self.assertEqual(self.assertInputValidationFailed(result),
                         ["Missing required field: message"])

    def test_null_for_an_optional_field_means_absent(self):
        result = self.server.execute(self.typed["slug"], {"quantity": None}, self.typed["apiKey"])
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"]["quantity"], 12.5)

    def test_invalid_inputs_are_not_recorded(self):
        history = self.server.executions(self.echo["slug"], self.echo["apiKey"])
        before = len(history.body["executions"])
        self.server.execute(self.echo["slug"], {"message": 5}, self.echo["apiKey"])
        self.server.execute(self.echo["slug"], {}, self.echo["apiKey"])
        history = self.server.executions(self.echo["slug"], self.echo["apiKey"])
        self.assertEqual(len(history.body["executions"]), before)


class ExecuteResponseTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = deploy_or_fail(cls.server, "echo")
        cls.strict = deploy_or_fail(cls.server, "strict_json_parse")
        unnamed = load_fixture("file_upload_text")
        for item in unnamed["nodes"]:
            item.pop("name", None)
        cls.unnamed_upload = deploy_or_fail(cls.server, "file_upload_text", unnamed)

    def test_success_envelope_and_metadata(self):
        body = self.execute_ok(self.echo, {"message": "hello there"})
        self.assertEqual(set(body), {"success", "outputs", "metadata"})
        self.assertEqual(body["outputs"], {"reply": "hello there"})
        metadata = body["metadata"]
        self.assertRegex(metadata["duration"], DURATION_PATTERN)
        self.assertIsInstance(metadata["durationMs"], int)
        self.assertGreaterEqual(metadata["durationMs"], 0)
        self.assertEqual(metadata["duration"], f"{metadata['durationMs']}ms")
        self.assertEqual(metadata["nodesExecuted"], 2)
        self.assertEqual(metadata["skippedNodes"], [])
        self.assertRegex(metadata["timestamp"], ISO_TIMESTAMP)
        self.assertRegex(metadata["executionId"], UUID_PATTERN)
        self.assertEqual(metadata["workflow"], {"id": self.echo["id"], "name": self.echo["name"],
                                                "slug": self.echo["slug"]})

    def test_every_execution_gets_its_own_id(self):
        first = self.execute_ok(self.echo, {"message": "one"})
        second = self.execute_ok(self.echo, {"message": "two"})
        self.assertNotEqual(first["metadata"]["executionId"], second["metadata"]["executionId"])

    def test_node_failure_names_the_node_and_is_recorded(self):
        result = self.server.execute(self.strict["slug"], {"document": "{broken"},
                                     self.strict["apiKey"])
        self.assertEqual(result.status, 500, result)
        body = result.body
        self.assertIs(body["success"], False)
        self.assertTrue(body["error"].startswith("Node 'Strict Parser' failed: JSON Parse Error"),
                        body["error"])
        self.assertEqual(body["failedNode"],
                         {"id": "strict-parse", "name": "Strict Parser", "type": "json-parse"})
        self.assertNotIn("outputs", body)
        execution_id = body["metadata"]["executionId"]
        self.assertRegex(execution_id, UUID_PATTERN)

        history = self.server.executions(self.strict["slug"], self.strict["apiKey"])
        self.assertEqual(history.status, 200, history)
        rows = [row for row in history.body["executions"] if row["id"] == execution_id]
        self.assertEqual(len(rows), 1, history)
        row = rows[0]
        self.assertEqual(row["status"], "error")
        self.assertEqual(row["error"], body["error"])
        self.assertEqual(row["errorNodeId"], "strict-parse")
        self.assertEqual(row["inputs"], {"document": "{broken"})
        self.assertIsNone(row["outputs"])

    def test_same_workflow_succeeds_with_valid_json(self):
        body = self.execute_ok(self.strict, {"document": '{"a": [1, 2]}'})
        self.assertEqual(body["outputs"], {"parsed": {"a": [1, 2]}})

    def test_failed_node_without_name_is_named_by_type(self):
        upload = {"data": b64(b"%PDF-1.4"), "name": "report.pdf", "type": "application/pdf"}
        result = self.server.execute(self.unnamed_upload["slug"], {"notes": upload},
                                     self.unnamed_upload["apiKey"])
        self.assertEqual(result.status, 500, result)
        self.assertTrue(result.body["error"].startswith(
            "Node 'file-upload' failed: File type not accepted"), result.body["error"])
        self.assertEqual(result.body["failedNode"]["id"], "notes")
        self.assertEqual(result.body["failedNode"]["type"], "file-upload")


class EngineSemanticsTests(ServerTestCase):
    """The node types this build executes, through HTTP, with exact expected values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.flows = {name: deploy_or_fail(cls.server, name) for name in (
            "text_pipeline", "port_names", "if_else_routing", "typed_inputs", "json_tools",
            "image_metadata", "pdf_text", "file_upload_text", "field_names")}

    def run_flow(self, name, inputs):
        return self.execute_ok(self.flows[name], inputs)

    # -- static-text, combine-text ------------------------------------------------------------

    def test_static_and_combined_text_keep_every_space(self):
        body = self.run_flow("text_pipeline", {"userName": " Ada  Lovelace "})
        self.assertEqual(body["outputs"], {
            "greeting": "Hello,  Ada  Lovelace ",
            "fullMessage": "Hello,  Ada  Lovelace |  welcome aboard.  ",
        })
        self.assertEqual(body["metadata"]["nodesExecuted"], 7)
        self.assertEqual(body["metadata"]["skippedNodes"], [])

    def test_target_handles_given_as_port_names_resolve_to_port_ids(self):
        body = self.run_flow("port_names", {"firstWord": "left", "secondWord": "right"})
        self.assertEqual(body["outputs"], {"pair": "left+right"})

    # -- if-else, dead branches -----------------------------------------------------------------

    def test_true_branch_runs_and_false_branch_is_skipped(self):
        body = self.run_flow("if_else_routing", {"score": 72})
        self.assertEqual(body["outputs"], {"passMessage": "72 points, passed", "failValue": None})
        self.assertEqual(sorted(body["metadata"]["skippedNodes"]), ["fail-format", "fail-output"])
        self.assertEqual(body["metadata"]["nodesExecuted"], 5)

    def test_boundary_value_takes_the_true_branch(self):
        body = self.run_flow("if_else_routing", {"score": 50})
        self.assertEqual(body["outputs"], {"passMessage": "50 points, passed", "failValue": None})

    def test_false_branch_runs_and_partly_live_node_still_executes(self):
        # `join` has a dead edge from the true branch and a live one from static text: it runs
        # with only the live input, so nothing is skipped.
        body = self.run_flow("if_else_routing", {"score": 49.5})
        self.assertEqual(body["outputs"], {"passMessage": " points, passed", "failValue": "49.5"})
        self.assertEqual(body["metadata"]["skippedNodes"], [])
        self.assertEqual(body["metadata"]["nodesExecuted"], 7)

    # -- input conversion -------------------------------------------------------------------------

    def test_saved_text_defaults_are_converted_by_input_type(self):
        body = self.run_flow("typed_inputs", {})
        self.assertEqual(body["outputs"], {"quantity": 12.5, "mode": "fast"})
        self.assertIsInstance(body["outputs"]["quantity"], float)

    def test_api_values_replace_defaults(self):
        body = self.run_flow("typed_inputs", {"quantity": 3, "settings": {"mode": "slow"}})
        self.assertEqual(body["outputs"], {"quantity": 3, "mode": "slow"})

    def test_zero_is_a_value_not_a_missing_input(self):
        body = self.run_flow("typed_inputs", {"quantity": 0})
        self.assertEqual(body["outputs"]["quantity"], 0)

    def test_number_schema_without_required_default_fields(self):
        schema = self.flows["typed_inputs"]["schema"]["input"]
        self.assertEqual(schema["properties"]["quantity"]["type"], "number")
        self.assertNotIn("quantity", schema.get("required", []))
        self.assertNotIn("settings", schema.get("required", []))

    # -- json-parse, json-stringify ---------------------------------------------------------------

    PAYLOAD = ('{"user":{"name":"Ada","address":{"city":"London","zip":"N1 9GU"}},'
               '"tags":["math","poetry"],"empty":{},"none":[],"score":9.5,"active":true,'
               '"nothing":null}')

    PRETTY = ('{\n'
              '  "user": {\n'
              '    "name": "Ada",\n'
              '    "address": {\n'
              '      "city": "London",\n'
              '      "zip": "N1 9GU"\n'
              '    }\n'
              '  },\n'
              '  "tags": [\n'
              '    "math",\n'
              '    "poetry"\n'
              '  ],\n'
              '  "empty": {},\n'
              '  "none": [],\n'
              '  "score": 9.5,\n'
              '  "active": true,\n'
              '  "nothing": null\n'
              '}')

    def test_json_parse_extracts_fields_and_stringify_formats(self):
        body = self.run_flow("json_tools", {"payload": self.PAYLOAD})
        outputs = body["outputs"]
        self.assertEqual(outputs["city"], "London")
        self.assertEqual(outputs["secondTag"], "poetry")
        self.assertIsNone(outputs["phone"])
        self.assertEqual(outputs["parsed"]["user"]["address"], {"city": "London", "zip": "N1 9GU"})
        self.assertEqual(list(outputs["parsed"]), ["user", "tags", "empty", "none", "score",
                                                   "active", "nothing"])
        self.assertEqual(outputs["pretty"], self.PRETTY)
        self.assertEqual(outputs["compact"], self.PAYLOAD)

    def test_unparsable_json_gives_null_without_fail_on_error(self):
        body = self.run_flow("json_tools", {"payload": "{broken"})
        self.assertEqual(body["outputs"], {"city": None, "secondTag": None, "phone": None,
                                           "parsed": None, "pretty": "", "compact": ""})

    # -- image-input ------------------------------------------------------------------------------

    def test_image_input_reports_png_metadata_from_raw_base64(self):
        png = tiny_png(3, 2)
        body = self.run_flow("image_metadata", {"photo": b64(png)})
        self.assertEqual(body["outputs"]["imageData"], "data:image/png;base64," + b64(png))
        self.assertEqual(body["outputs"]["imageInfo"],
                         {"width": 3, "height": 2, "type": "image/png", "size": len(png)})

    def test_image_input_accepts_a_data_url(self):
        png = tiny_png(7, 5)
        data_url = "data:image/png;base64," + b64(png)
        body = self.run_flow("image_metadata", {"photo": data_url})
        self.assertEqual(body["outputs"]["imageData"], data_url)
        info = body["outputs"]["imageInfo"]
        self.assertEqual((info["width"], info["height"], info["type"]), (7, 5, "image/png"))

    # -- pdf-input --------------------------------------------------------------------------------

    def test_pdf_input_extracts_page_text(self):
        encoded = b64(text_pdf("Hello PDF World"))
        body = self.run_flow("pdf_text", {"document": encoded})
        self.assertEqual(body["outputs"]["text"], "Page 1: Hello PDF World")
        info = body["outputs"]["info"]
        self.assertEqual((info["pageCount"], info["totalPagesInDocument"]), (1, 1))
        self.assertEqual(info["size"], len(encoded))
        self.assertIs(info["preserveFormatting"], False)
        self.assertNotIn("error", info)

    def test_pdf_input_accepts_a_data_url(self):
        body = self.run_flow("pdf_text", {
            "document": "data:application/pdf;base64," + b64(text_pdf("Second Document"))})
        self.assertEqual(body["outputs"]["text"], "Page 1: Second Document")

    def test_unreadable_pdf_is_a_soft_failure(self):
        body = self.run_flow("pdf_text", {"document": b64(b"this is not a pdf")})
        self.assertEqual(body["outputs"]["text"], "")
        info = body["outputs"]["info"]
        self.assertEqual(info["pageCount"], 0)
        self.assertTrue(info["error"].startswith("PDF processing failed: "), info)

    # -- file-upload ------------------------------------------------------------------------------

    TEXT = "héllo\nwörld ✓\n"

    def test_file_upload_decodes_text_from_an_object(self):
        raw = self.TEXT.encode("utf-8")
        upload = {"data": b64(raw), "name": "notes.txt", "type": "text/plain"}
        body = self.run_flow("file_upload_text", {"notes": upload})
        self.assertEqual(body["outputs"]["text"], self.TEXT)
        self.assertEqual(body["outputs"]["fileInfo"],
                         {"name": "notes.txt", "size": len(raw), "type": "text/plain",
                          "lastModified": None, "format": "text"})

    def test_file_upload_decodes_text_from_a_data_url(self):
        raw = self.TEXT.encode("utf-8")
        body = self.run_flow("file_upload_text", {"notes": "data:text/plain;base64," + b64(raw)})
        self.assertEqual(body["outputs"]["text"], self.TEXT)
        info = body["outputs"]["fileInfo"]
        self.assertEqual((info["name"], info["size"], info["type"]),
                         ("uploaded_file", len(raw), "text/plain"))

    def test_file_upload_refuses_types_not_accepted(self):
        upload = {"data": b64(b"%PDF-1.4"), "name": "report.pdf", "type": "application/pdf"}
        flow = self.flows["file_upload_text"]
        result = self.server.execute(flow["slug"], {"notes": upload}, flow["apiKey"])
        self.assertEqual(result.status, 500, result)
        self.assertTrue(result.body["error"].startswith(
            "Node 'Notes Upload' failed: File type not accepted"), result.body["error"])

    # -- field names ------------------------------------------------------------------------------

    def test_outputs_use_the_deployed_field_names(self):
        body = self.run_flow("field_names", {"userName": "u", "searchTerm": "s", "input3": "i",
                                             "topic": "first", "topic2": "second"})
        self.assertEqual(body["outputs"], {"result": "u", "result2": "s", "finaloutput": "i",
                                           "aIResponse": "first second"})


if __name__ == "__main__":
    unittest.main()
