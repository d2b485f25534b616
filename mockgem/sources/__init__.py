"""Where answers come from: scripted rules, cassettes, the upstream API."""
