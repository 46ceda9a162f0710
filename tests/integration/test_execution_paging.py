"""Keyset paging of the execution history: GET /api/workflows/{slug}/executions?cursor=…, where
the cursor is the previous page's pagination.nextCursor; checked against the offset listing."""

import base64
import unittest
from concurrent.futures import ThreadPoolExecutor

from runner_process import ServerTestCase, load_fixture, unique_token

EXECUTIONS = 13
BAD_EVERY = 3  # executions 0, 3, 6, 9 and 12 fail (invalid JSON), the others succeed


def base64url(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class ExecutionPagingTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = cls.server.deploy(f"Paging {unique_token()}", load_fixture("strict_json_parse"))
        if result.status != 201:
            raise AssertionError(result)
        cls.deployment = result.body["deployment"]
        cls.slug, cls.key = cls.deployment["slug"], cls.deployment["apiKey"]
        # All at once, so that executions are likely to share a millisecond and the id decides
        # their order: the cursor has to carry both.
        def run(index):
            document = "{bad" if index % BAD_EVERY == 0 else f'{{"n": {index}}}'
            return index, cls.server.execute(cls.slug, {"document": document}, cls.key)

        cls.executed = {}
        with ThreadPoolExecutor(max_workers=EXECUTIONS) as pool:
            for index, result in pool.map(run, range(EXECUTIONS)):
                if result.status not in (200, 500):
                    raise AssertionError(result)
                cls.executed[result.body["metadata"]["executionId"]] = (
                    "error" if index % BAD_EVERY == 0 else "success")

    # -- helpers -------------------------------------------------------------------------------

    def page(self, query):
        result = self.server.executions(self.slug, self.key, query)
        self.assertEqual(result.status, 200, result)
        return result.body

    def offset_listing(self, status=None):
        """Every execution in one offset page (the reference order)."""
        query = "limit=1000" + (f"&status={status}" if status else "")
        body = self.page(query)
        self.assertIs(body["pagination"]["hasMore"], False)
        return [row["id"] for row in body["executions"]]

    def walk(self, limit, status=None):
        """Follows nextCursor from the first page; returns the pages' rows."""
        extra = f"&status={status}" if status else ""
        body = self.page(f"limit={limit}{extra}")
        pages = [body]
        while body["pagination"]["nextCursor"] is not None:
            self.assertLessEqual(len(pages), EXECUTIONS + 1, "the walk does not end")
            body = self.page(f"limit={limit}&cursor={body['pagination']['nextCursor']}{extra}")
            pages.append(body)
        for number, page in enumerate(pages):
            last = number == len(pages) - 1
            pagination = page["pagination"]
            self.assertEqual(pagination["limit"], limit)
            self.assertEqual(pagination["offset"], 0)
            self.assertIs(pagination["hasMore"], not last, pagination)
            if not last:
                self.assertEqual(len(page["executions"]), limit)
        self.assertIsNone(pages[-1]["pagination"]["nextCursor"])
        return [row for page in pages for row in page["executions"]]

    def assertRefused(self, query, *words):
        result = self.server.executions(self.slug, self.key, query)
        self.assertErrorEnvelope(result, 400, "Validation failed")
        problems = result.body.get("validationErrors")
        self.assertTrue(problems, result)
        self.assertTrue(any(all(word in problem for word in words) for problem in problems),
                        f"no validation error names {words}: {problems}")

    # -- tests ---------------------------------------------------------------------------------

    def test_walking_next_cursor_returns_every_execution_once_newest_first(self):
        reference = self.offset_listing()
        self.assertEqual(sorted(reference), sorted(self.executed))
        for limit in (1, 4, 5, EXECUTIONS, EXECUTIONS + 1):
            with self.subTest(limit=limit):
                rows = self.walk(limit)
                ids = [row["id"] for row in rows]
                self.assertEqual(ids, reference)
                self.assertEqual(len(set(ids)), EXECUTIONS)
                times = [row["createdAt"] for row in rows]
                self.assertEqual(times, sorted(times, reverse=True), "not newest first")

    def test_cursor_continues_any_offset_page(self):
        reference = self.offset_listing()
        second = self.page("limit=4&offset=4")
        self.assertEqual([row["id"] for row in second["executions"]], reference[4:8])
        self.assertEqual(second["pagination"]["offset"], 4)
        cursor = second["pagination"]["nextCursor"]
        self.assertIsInstance(cursor, str)
        self.assertRegex(cursor, r"^[A-Za-z0-9_-]+$")
        third = self.page(f"limit=4&cursor={cursor}")
        self.assertEqual([row["id"] for row in third["executions"]], reference[8:12])
        self.assertEqual(third["pagination"]["offset"], 0)
        # offset=0 alongside a cursor changes nothing.
        self.assertEqual(self.page(f"limit=4&offset=0&cursor={cursor}")["executions"],
                         third["executions"])

    def test_status_filter_applies_to_cursor_pages(self):
        for status in ("error", "success"):
            with self.subTest(status=status):
                expected = self.offset_listing(status)
                self.assertEqual(sorted(expected), sorted(
                    key for key, value in self.executed.items() if value == status))
                rows = self.walk(2, status)
                self.assertEqual([row["id"] for row in rows], expected)
                self.assertTrue(all(row["status"] == status for row in rows), rows)
        self.assertEqual(self.walk(3, "timeout"), [])

    def test_last_page_has_no_next_cursor(self):
        everything = self.page("limit=1000")["pagination"]
        self.assertEqual(everything, {"limit": 1000, "offset": 0, "hasMore": False,
                                      "nextCursor": None})
        exact = self.page(f"limit={EXECUTIONS}")["pagination"]
        self.assertIs(exact["hasMore"], False)
        self.assertIsNone(exact["nextCursor"])
        # After the second-oldest row comes the oldest alone, and no cursor after it.
        second_oldest = self.page(f"limit=1&offset={EXECUTIONS - 2}")
        last = self.page(f"limit=1&cursor={second_oldest['pagination']['nextCursor']}")
        self.assertEqual([row["id"] for row in last["executions"]], self.offset_listing()[-1:])
        self.assertEqual(last["pagination"], {"limit": 1, "offset": 0, "hasMore": False,
                                              "nextCursor": None})

    def test_cursor_with_offset_is_refused(self):
        cursor = self.page("limit=2")["pagination"]["nextCursor"]
        self.assertIsInstance(cursor, str)
        self.assertRefused(f"limit=2&offset=2&cursor={cursor}", "cursor", "offset")

    def test_malformed_cursor_is_refused(self):
        valid = self.page("limit=1")["pagination"]["nextCursor"]
        for cursor in ("", "garbage!", "not-a-cursor", valid + "%3D", valid + "A", valid[:-1],
                       base64url("1704067200000"), base64url("1704067200000."),
                       base64url("17x4.00000000-0000-4000-8000-000000000001"),
                       base64url("1704067200000.0000'; DROP TABLE x"), "A" * 200):
            with self.subTest(cursor=cursor):
                self.assertRefused(f"limit=2&cursor={cursor}", "cursor", "without cursor")

    def test_runner_openapi_documents_cursor_and_next_cursor(self):
        result = self.server.request("GET", "/api/openapi.json")
        self.assertEqual(result.status, 200, result)
        document = result.body
        operation = document["paths"]["/api/workflows/{slug}/executions"]["get"]
        cursor = [parameter for parameter in operation["parameters"]
                  if parameter.get("name") == "cursor"]
        self.assertEqual(len(cursor), 1, operation["parameters"])
        self.assertEqual(cursor[0]["in"], "query")
        listing = operation["responses"]["200"]["content"]["application/json"]["schema"]
        name = listing["$ref"].rsplit("/", 1)[-1]
        pagination_ref = document["components"]["schemas"][name]["properties"]["pagination"]
        pagination = document["components"]["schemas"][pagination_ref["$ref"].rsplit("/", 1)[-1]]
        self.assertIn("nextCursor", pagination["required"])
        self.assertEqual(pagination["properties"]["nextCursor"]["type"], "string")
        self.assertIs(pagination["properties"]["nextCursor"]["nullable"], True)


if __name__ == "__main__":
    unittest.main()
