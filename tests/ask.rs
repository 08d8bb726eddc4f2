//! `interview-bot ask --json`: exactly one JSON line per input line, whatever the
//! line holds, and query syntax is plain text.

mod common;

fn ask_lines(input: &str) -> Vec<serde_json::Value> {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["ask", "--json", "--limit", "3"]);
    common::json_run(command, input)
}

#[test]
fn hostile_input_gets_one_json_line_each() {
    let long = "tcp ".repeat(5_000);
    let lines = [
        "title:docker AND (volume",
        "\"unbalanced quotes around tcp",
        "docker \"volume",
        "+tcp -udp ~ ^2 * ? [a TO z] {x}",
        long.as_str(),
        "🐳 docker 🐍",
        "ｄｏｃｋｅｒ　ｖｏｌｕｍｅ",
        "",
        "   ",
        "\t",
        "!!!???",
        "the a an of",
        "\\",
        "qqfield:foo AND (",
        "ＴＣＰ",
    ];
    let input = lines.join("\n") + "\n";
    let results = ask_lines(&input);
    assert_eq!(results.len(), lines.len());
    for (line, result) in lines.iter().zip(&results) {
        assert_eq!(result["query"], *line, "echoes its query");
        let hits = result["hits"].as_array().expect("hits is a list");
        assert!(hits.len() <= 3, "{result}");
        assert!(hits.iter().all(|h| h["id"].is_string()), "{result}");
    }
    let hits = |i: usize| results[i]["hits"].as_array().unwrap();
    // Query syntax is searched as words, so these still find things.
    assert_eq!(hits(0)[0]["topic"], "docker", "{}", results[0]);
    assert!(!hits(1).is_empty());
    assert!(hits(2)[0]["topic"] == "docker", "{}", results[2]);
    assert!(!hits(3).is_empty());
    assert!(!hits(4).is_empty(), "20,000 characters of tcp");
    assert_eq!(hits(5)[0]["topic"], "docker");
    assert_eq!(hits(6)[0]["topic"], "docker", "full-width text folds");
    assert!(!hits(14).is_empty(), "full-width TCP");
    for blank in [7, 8, 9, 10, 11, 12, 13] {
        assert!(hits(blank).is_empty(), "{}", results[blank]);
        assert!(results[blank]["note"].is_string(), "{}", results[blank]);
    }
}

#[test]
fn hits_carry_the_documented_fields() {
    let results = ask_lines("difference between tcp and udp\n");
    let hit = &results[0]["hits"][0];
    for key in ["id", "topic", "question", "aliases", "answer", "score"] {
        assert!(hit.get(key).is_some(), "missing {key}: {hit}");
    }
    assert!(hit["question"].as_str().unwrap().contains("TCP"));
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let hits = results[0]["hits"].as_array().unwrap();
    assert!(hits.len() <= 3);
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn invalid_utf8_and_crlf_lines_still_answer() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["ask", "--json"]);
    let output = common::run_with_input(
        command,
        b"docker volume\r\n\xff\xfe bad bytes\nlast line without newline",
    );
    assert!(output.status.success());
    let results = common::json_lines(&output);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["query"], "docker volume");
    assert_eq!(results[2]["query"], "last line without newline");
}

#[test]
fn topic_filter_and_text_argument() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args([
        "ask", "--json", "--topic", "python", "how", "do", "threads", "work",
    ]);
    let output = common::run(command);
    assert!(output.status.success());
    let results = common::json_lines(&output);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["query"], "how do threads work");
    let hits = results[0]["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits.iter().all(|h| h["topic"] == "python"),
        "{}",
        results[0]
    );
}

#[test]
fn an_unknown_topic_is_a_usage_error() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["ask", "--topic", "cooking", "eggs"]);
    let output = common::run(command);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no topic `cooking`"), "{stderr}");
}

#[test]
fn every_line_says_whether_it_is_confident_and_explain_says_why() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["ask", "--json", "--explain", "--limit", "3"]);
    let results = common::json_run(
        command,
        "difference between tcp and udp\nexplain angular dependency injection\nxyzzyq\n\n",
    );
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(|r| r["confident"].is_boolean()));
    let (known, unknown) = (&results[0], &results[1]);
    assert_eq!(known["confident"], true, "{known}");
    assert!(known["why"].as_str().unwrap().starts_with("confident"));
    assert_eq!(unknown["confident"], false, "{unknown}");
    assert!(
        !unknown["hits"].as_array().unwrap().is_empty(),
        "suggestions stay listed"
    );
    let why = unknown["why"].as_str().unwrap();
    assert!(
        why.starts_with("not confident") && why.contains("words covered"),
        "{why}"
    );
    let evidence = &unknown["confidence"]["evidence"];
    assert!(evidence["coverage"].as_f64().unwrap() < 1.0);
    assert!(
        evidence["unknown"].as_f64().unwrap() > 0.0,
        "angular is in no entry"
    );
    assert!(
        known["confidence"]["value"].as_f64().unwrap()
            > unknown["confidence"]["value"].as_f64().unwrap()
    );
    assert_eq!(results[2]["confident"], false);
    assert_eq!(results[3]["confident"], false);
}

#[test]
fn explain_shows_the_text_searched_when_list_forms_were_taken_off() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["ask", "--json", "--explain", "--limit", "3"]);
    let results = common::json_run(
        command,
        "**Q1: Can you explain the difference between TCP and UDP?** (easy)\ndifference between tcp and udp\n",
    );
    assert_eq!(results.len(), 2);
    let (listed, plain) = (&results[0], &results[1]);
    assert_eq!(
        listed["normalised"], "the difference between TCP and UDP?",
        "{listed}"
    );
    assert!(plain.get("normalised").is_none(), "{plain}");
    assert_eq!(listed["hits"][0]["id"], plain["hits"][0]["id"]);
    assert_eq!(listed["confident"], true, "{listed}");
}

#[test]
fn explain_says_whether_the_hit_defines_what_a_definition_asks_and_whether_the_query_is_bare() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["ask", "--json", "--explain", "--limit", "3"]);
    let results = common::json_run(
        command,
        "What is a generator in Python?\nWhat is the GIL? Why does it exist?\nhow do generators work\ndocker volumes\n",
    );
    let evidence = |i: usize| &results[i]["confidence"]["evidence"];
    // The generators entry defines the term; the generator-expression entry only mentions it.
    assert_eq!(results[0]["hits"][0]["id"], "python-020", "{}", results[0]);
    assert_eq!(evidence(0)["defines"], true, "{}", results[0]);
    assert!(evidence(1)["defines"].is_boolean(), "{}", results[1]);
    assert!(
        evidence(2).get("defines").is_none(),
        "a how-to asks no definition"
    );
    assert_eq!(evidence(0)["bare"], false);
    assert_eq!(evidence(2)["bare"], false, "a question word");
    assert_eq!(evidence(3)["bare"], true, "{}", results[3]);
}
