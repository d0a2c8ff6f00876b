"""What a stranger can send: any JSON value (numbers of any size, NaN and infinities, any text, nesting), any
bytes, and text that looks almost like what a door expects."""

from __future__ import annotations

from hypothesis import strategies as st

# Any Unicode text hypothesis can make; `any_text` also holds lone surrogates, which no UTF-8 encoder can write
# (a JSON string can carry them as escapes).
text = st.text(max_size=40)
any_text = st.one_of(text, st.tuples(st.text(max_size=10), st.characters(whitelist_categories=["Cs"]),
                                     st.text(max_size=10)).map("".join))
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
# JSON has no limit on the size of an integer, and Python's parser keeps every digit.
huge_integers = st.integers(min_value=2**1000, max_value=2**1100).flatmap(lambda n: st.sampled_from([n, -n]))
numbers = st.one_of(st.integers(), st.integers(min_value=-(2**70), max_value=2**70), huge_integers, finite_floats,
                    st.sampled_from([0, -0.0, 2**63, 2**64, -(2**63) - 1, 3.4028234663852886e38, 1e39, 5e-324]))
any_floats = st.floats()  # NaN and infinities included

scalars = st.one_of(st.none(), st.booleans(), numbers, text)


def json_values(leaves: st.SearchStrategy[object] = scalars, max_leaves: int = 12) -> st.SearchStrategy[object]:
    """Nested lists and objects of `leaves`, as a JSON parser would hand them over."""
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                        st.dictionaries(text, inner, max_size=5)),
                        max_leaves=max_leaves)


finite_json = json_values()
# What Python's json module also accepts: NaN and Infinity (a stranger's encoder may send them).
json_with_non_finite = json_values(st.one_of(scalars, any_floats))
