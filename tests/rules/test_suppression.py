"""Complementary suppression of the rows of a table whose total is shown (rules.suppression)."""

from jeugdregie.rules.suppression import hidden_rows, too_small


def test_nothing_small_nothing_hidden():
    assert hidden_rows([5, 17, 0], 5) == [False, False, False]
    assert hidden_rows([], 5) == []


def test_one_small_row_takes_the_smallest_other_with_it():
    # 2 clients alone: total - 17 - 6 would give it away; with the 6 hidden too, 8 together.
    assert hidden_rows([17, 2, 6], 5) == [False, True, True]


def test_small_rows_resting_together_on_enough_clients_stay_alone():
    assert hidden_rows([3, 2, 40], 5) == [True, True, False]  # 5 together: enough


def test_more_rows_until_the_threshold_ties_to_the_earlier_row():
    assert hidden_rows([1, 5, 5, 1], 5) == [True, True, False, True]  # 1 + 1 + 5
    assert hidden_rows([1, 0, 1], 5) == [True, False, True]  # a row without clients hides nothing
    assert hidden_rows([1, 2], 5) == [True, True]  # everything small: all hidden (so is the total)


def test_the_threshold_is_a_parameter():
    assert hidden_rows([2, 1, 9], 2) == [True, True, False]  # 1 alone; the 2 with it
    assert too_small(1, 5) and not too_small(0, 5) and not too_small(5, 5) and not too_small(None, 5)
