[
{"file": "tests/golden/json_output.yml", "id": "5f0c3b8e-2d8a-4c41-9d55-0a4f5b7f4a10", "title": "JSON output lists each rule with its queries", "type": "rule", "queries": ["SELECT * FROM <TABLE> WHERE LOWER(Image) = 'c:\\it''s \"x\"'"]},
{"file": "tests/golden/json_output.yml", "id": null, "title": "A failing rule in JSON output", "type": "rule", "error": {"message": "Detection 'nothere' not defined in detections", "line": 15, "column": 14}}
]
