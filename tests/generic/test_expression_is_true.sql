{#-
    A rule that must hold on every row: returns the rows where `expression` is not true
    (false or null). Optional `where_clause` restricts the rows the rule applies to;
    `column_name` is accepted so the test can sit under the column it is about.
-#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}

select *
from {{ model }}
where
    not coalesce({{ expression }}, false)
    {%- if where_clause %}
    and ({{ where_clause }})
    {%- endif %}

{% endtest %}
