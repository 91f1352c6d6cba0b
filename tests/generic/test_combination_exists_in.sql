{#-
    Every combination of `columns` in the model is a row of `to` (a relationship on a composite
    key, nulls included: a null never matches). Returns the combinations that `to` lacks.
-#}
{% test combination_exists_in(model, columns, to) %}

select {{ columns | join(', ') }}
from {{ model }}
except
select {{ columns | join(', ') }}
from {{ to }}

{% endtest %}
