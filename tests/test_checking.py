"""Check your own numbers: the first wrong value is pointed at; bad input is refused."""

import json

import numpy as np
import pytest

from nn_core.checking import (
    compare,
    parse_check_json,
    parse_matrix_csv,
    preset,
    template,
    to_dict,
    true_values,
    value_names,
)


def test_all_correct_values_all_match():
    for name in ("worked_example", "tutorial"):
        problem = parse_check_json(template(name))
        result = compare(problem)
        assert result.all_match and result.first_mismatch is None and not result.missing
        assert result.summary().startswith("All ")


def test_mazur_published_values_match_within_their_rounding():
    problem = preset("worked_example")
    problem.yours = {"a1": [0.593269992, 0.596884378], "output": [0.75136507, 0.772928465],
                     "loss": 0.298371109, "W2_new": [[0.35891648, 0.511301270],
                                                     [0.408666186, 0.561370121]]}
    result = compare(problem, rtol=0, atol=1e-8)
    assert result.all_match, result.summary()
    assert [r["name"] for r in result.rows][:2] == ["a1", "a1"]
    assert "dW2" in result.missing


def test_one_wrong_value_is_the_first_mismatch_in_computation_order():
    data = json.loads(template("worked_example"))
    data["yours"]["dW1"][1][0] += 1e-3   # a backward value, early in the JSON's key order
    data["yours"]["W2_new"][0][0] = 0.4  # a later (update) value, also wrong
    result = compare(parse_check_json(json.dumps(data)))
    bad = result.first_mismatch
    assert bad["label"] == "dW1[1, 0]"
    assert bad["abs_diff"] == pytest.approx(1e-3, rel=1e-6)
    assert sum(not r["match"] for r in result.rows) == 2
    assert "dW1[1, 0]" in result.summary()


def test_the_tutorials_sign_is_recognised():
    problem = preset("tutorial")
    truth = true_values(problem.net, problem.X, problem.y, problem.loss, problem.lr)
    problem.yours = {"output": truth["a2"], "dW2": -truth["dW2"]}
    result = compare(problem)
    assert result.first_mismatch["name"] == "dW2"
    assert "minus the gradient" in result.first_mismatch["hint"]


def test_names_and_shapes_of_a_single_sample_are_forgiving():
    problem = preset("worked_example")
    truth = true_values(problem.net, problem.X, problem.y, problem.loss, problem.lr)
    problem.yours = {"a1": truth["a1"].ravel().tolist(), "loss": [float(truth["loss"])]}
    assert compare(problem).all_match
    assert value_names(2, use_bias=False) == ["z1", "a1", "z2", "a2", "loss", "delta2", "dW2",
                                              "delta1", "dW1", "W1_new", "W2_new"]


@pytest.mark.parametrize("text,message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be an object"),
    ('{"network": {}, "input": [1]}', "lacks target"),
    ("nope", "not valid JSON"),
])
def test_malformed_json_is_rejected_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_check_json(text)


@pytest.mark.parametrize("change,message", [
    (lambda d: d["yours"].update(a1=[1, 2, 3]), "a1 must have 2 value"),
    (lambda d: d["yours"].update(bogus=1), "unknown value name"),
    (lambda d: d["yours"].update(a1="__import__('os')"), "a1 must be a number"),
    (lambda d: d.update(loss="hinge"), "loss must be one of"),
    (lambda d: d.update(learning_rate="fast"), "learning_rate"),
    (lambda d: d.update(input=[1, 2, 3]), "input"),
    (lambda d: d["network"].update(activations=["sigmoid", "nope"]), "unknown activation"),
    (lambda d: d["network"].update(layer_sizes=[2, 200, 2]), "at most"),
    (lambda d: d["network"]["weights"][0].append([1, 2]), "shape"),
])
def test_bad_values_are_rejected_with_a_message(change, message):
    data = to_dict(preset("worked_example"), with_truth=True)
    change(data)
    with pytest.raises(ValueError, match=message):
        parse_check_json(json.dumps(data))


def test_nan_in_json_is_rejected():
    text = template("worked_example").replace('"loss": 0.2983', '"loss": NaN, "x": 0.2983', 1)
    with pytest.raises(ValueError):
        parse_check_json(text.replace("0.05", "NaN", 1))


def test_matrix_csv():
    np.testing.assert_array_equal(parse_matrix_csv("1, 2\n3,4.5\n"), [[1, 2], [3, 4.5]])
    for bad, message in [("", "empty"), ("1,2\n3", "same number"), ("1,x", "must be a number"),
                         ("nan,1", "NaN"), ("\n".join(["1"] * 40), "at most")]:
        with pytest.raises(ValueError, match=message):
            parse_matrix_csv(bad)


def test_null_means_not_given():
    problem = preset("worked_example")
    problem.yours = {"a1": [None, 0.5], "loss": None}
    result = compare(problem)
    assert [r["label"] for r in result.rows] == ["a1[0, 1]"]
    assert not result.rows[0]["match"]
