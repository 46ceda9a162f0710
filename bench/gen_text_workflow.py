#!/usr/bin/env python3
"""Writes a workflow of NODES text nodes for scenario (b): one input, a chain of combine-text
nodes each joining the previous text with its own static-text node, and one output.

    bench/gen_text_workflow.py 200 > workflow.json
"""
import json
import sys


def build(total_nodes: int) -> dict:
    # input + output + pairs of (static-text, combine-text)
    pairs = (total_nodes - 2) // 2
    if pairs < 1 or pairs * 2 + 2 != total_nodes:
        raise SystemExit("NODES must be an even number of at least 4")
    nodes = [{"id": "name", "type": "input", "data": {"label": "Name"}}]
    connections = []
    previous = ("name", "output")
    for i in range(pairs):
        static_id, combine_id = f"s{i}", f"c{i}"
        nodes.append({"id": static_id, "type": "static-text", "data": {"text": "w"}})
        nodes.append({"id": combine_id, "type": "combine-text"})
        connections.append({"source": previous[0], "sourceHandle": previous[1],
                            "target": combine_id, "targetHandle": "text1"})
        connections.append({"source": static_id, "sourceHandle": "text",
                            "target": combine_id, "targetHandle": "text2"})
        previous = (combine_id, "combined")
    nodes.append({"id": "out", "type": "output", "data": {"outputLabel": "Greeting"}})
    connections.append({"source": previous[0], "sourceHandle": previous[1],
                        "target": "out", "targetHandle": "input"})
    return {"nodes": nodes, "connections": connections}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    json.dump(build(count), sys.stdout, indent=1)
    sys.stdout.write("\n")
