"""Recognition and reading data as YAML (synonyms, status words, known pipelines), loaded by analytics.data.load."""
